// `npm run build:tablet`: writes the tablet page's bundles to dist/tablet/ for installs that ship without esbuild.
import { writeTabletDist } from './assets';

for (const file of await writeTabletDist()) console.log(`wrote ${file}`);
