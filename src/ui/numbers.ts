/** 1234567 → "1,234,567"; toLocaleString would load ICU's number formatting before the first screen. */
export const count = (n: number) => String(n).replace(/\B(?=(\d{3})+$)/g, ',');
