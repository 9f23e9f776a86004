import { type ApplicationConfig, provideZonelessChangeDetection } from '@angular/core';
import { provideChat } from '@chat/angular';

/**
 * Zoneless, and one chat client for the app. The reference server serves the built app, and
 * `ng serve` proxies `/v1` to it, so the API is always on the page's own origin.
 */
export const appConfig: ApplicationConfig = {
  providers: [
    provideZonelessChangeDetection(),
    provideChat(() => ({ apiKey: 'demo', baseUrl: window.location.origin })),
  ],
};
