// Imported by a test of what the screen highlights: ink-testing-library's output is not a terminal, so
// chalk (Ink's, which is also the test runner's, already loaded) would write no styles.
import chalk from 'chalk';

chalk.level = 1;
