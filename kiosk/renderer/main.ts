// Renderer entry: picks the transport (Electron preload or browser-mode HTTP) and starts the kiosk screens.
import { KeystrokeBurstDetector } from '../../core/decoders/keystroke-burst';
import { KioskApp } from './app';
import { pickBridge } from './transport';

const root = document.getElementById('app');
if (root) {
  const app = new KioskApp(pickBridge(), (maxGapMs) => new KeystrokeBurstDetector({ maxGapMs }));
  app.start(root).catch((e: unknown) => {
    // Without its setup the kiosk cannot work: say so in words a person at the door understands, then retry.
    document.body.dataset.screen = 'out_of_order';
    root.textContent = `SeatPilot: ${(e as Error).message}`;
    setTimeout(() => location.reload(), 5000);
  });
}
