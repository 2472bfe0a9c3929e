import type { ViewId } from './view-ids.js';

/**
 * Which view shows, and the package a view asked another to show (a trained package opened in the
 * Packages view). The App keeps the address's #hash in step with it.
 */
export class ViewNav {
  view = $state<ViewId>('designer');
  /** The package the Packages view marks, by path. */
  package = $state<string | undefined>(undefined);

  constructor(view: ViewId) {
    this.view = view;
  }

  go(view: ViewId, o: { readonly package?: string } = {}): void {
    this.view = view;
    if (o.package !== undefined) this.package = o.package;
  }
}
