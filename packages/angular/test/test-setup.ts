// The JIT compiler first: TestBed compiles the test components at runtime.
import '@angular/compiler';

import { setupTestBed } from '@analogjs/vitest-angular/setup-testbed';

// Zoneless, as new Angular apps are: provideZonelessChangeDetection() in every TestBed.
setupTestBed({ zoneless: true });
