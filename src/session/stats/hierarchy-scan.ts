// The interface's Protocol Hierarchy view: the hierarchy of every frame in the store, computed in slices.
import type { FrameStore } from '../../capture/frame-store.js';
import type { Registry } from '../../decode/registry.js';
import { ProtocolHierarchy } from './protocol-hierarchy.js';
import { StatisticsScan } from './statistics-scan.js';

export class HierarchyScan extends StatisticsScan {
  constructor(
    store: FrameStore,
    registry: Registry,
    readonly hierarchy = new ProtocolHierarchy(undefined),
  ) {
    super(store, registry, [hierarchy]);
  }
}
