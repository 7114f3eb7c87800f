// Runs the legacy-deploy CLI from source (tests must not depend on a fresh build/): node --import tsx <this> ...
import { main } from '../../legacy/cli';

main(process.argv);
