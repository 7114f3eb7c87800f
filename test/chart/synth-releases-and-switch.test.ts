/**
 * What synth says beyond the manifests: the objects a `replicas` switch leaves in the cluster (kubectl apply never
 * deletes), and which release's data judged the pipeline when the linter has none for the pinned one.
 */
import { defaultRegistry } from '../../alloy-lint/registry/registry';
import { synthesize } from '../../lib/synth';
import { haMode, withScratchProject } from '../support/manifests';

function synth(project: { path: (...p: string[]) => string }) {
  return synthesize({
    configFile: project.path('config/prod.yaml'),
    assetsDir: project.path('assets/alloy'),
    kubernetesAssetsDir: project.path('assets/alloy_kubernetes'),
    outDir: project.path('dist'),
  });
}

describe('switching replicas: synth names the objects that left the chart and how to remove them safely', () => {
  test('1 -> 3: the Deployment (once the StatefulSet is ready), then its claim only after its WAL is delivered', () => {
    withScratchProject((project) => {
      expect(synth(project).warnings.filter((w) => w.includes('left the chart'))).toEqual([]);
      project.editProd(haMode(3));
      const left = synth(project).warnings.filter((w) => w.includes('left the chart'));
      const file = project.path('dist/alloy.k8s.yaml');
      expect(left).toEqual([
        `${file}: Deployment alloy/alloy left the chart; kubectl apply does not delete it. Delete it once the new workload is ready: kubectl -n alloy delete deployment alloy`,
        expect.stringMatching(
          /^.*: PersistentVolumeClaim alloy\/alloy-data left the chart; .*\(kubectl -n alloy delete persistentvolumeclaim alloy-data\) only after its WAL was delivered/,
        ),
      ]);
    });
  });

  test("3 -> 1: the StatefulSet, its governing Service and PDB, and each replica's claim", () => {
    withScratchProject((project) => {
      project.editProd(haMode(3));
      synth(project);
      project.editProd((t) => t.replace('replicas: 3', 'replicas: 1'));
      const left = synth(project).warnings.filter((w) => w.includes('left the chart'));
      expect(left.map((w) => /: (\S+ \S+) left the chart/.exec(w)?.[1]).sort()).toEqual([
        'PodDisruptionBudget alloy/alloy',
        'Service alloy/alloy-cluster',
        'StatefulSet alloy/alloy',
      ]);
      const set = left.find((w) => w.includes('StatefulSet')) as string;
      expect(set).toContain('its claims data-alloy-0, data-alloy-1, data-alloy-2 stay too');
      expect(set).toContain('only after its WAL was delivered');
    });
  });

  test('a synth that changes nothing says nothing of the kind', () => {
    withScratchProject((project) => {
      synth(project);
      expect(synth(project).warnings.filter((w) => w.includes('left the chart'))).toEqual([]);
    });
  });
});

describe('a release the linter has no data for is never judged silently as another', () => {
  test('newer than the data (a Renovate bump): one warning naming the data that judged and how to refresh it', () => {
    withScratchProject((project) => {
      project.editProd((t) => t.replace('version: v1.10.1', 'version: v1.99.0'));
      const notes = synth(project).warnings.filter((w) => w.includes('newer than'));
      expect(notes).toEqual([
        expect.stringMatching(
          new RegExp(
            `prod\\.yaml: alloy\\.version: Alloy v1\\.99\\.0 is newer than the linter's release data \\(${escapeRegExp(defaultRegistry().range)}\\): judged by ${escapeRegExp(defaultRegistry().newest)}'s data.*npm run registry`,
          ),
        ),
      ]);
    });
  });

  test('older than the data: an error naming the key and the known range', () => {
    withScratchProject((project) => {
      project.editProd((t) => t.replace('version: v1.10.1', 'version: v1.5.0'));
      expect(() => synth(project)).toThrow(
        new RegExp(
          `prod\\.yaml: alloy\\.version: Alloy v1\\.5\\.0 is older than the releases the linter has data for \\(${escapeRegExp(defaultRegistry().range)}\\)`,
        ),
      );
    });
  });
});

/** `text` as a literal inside a RegExp. */
function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
