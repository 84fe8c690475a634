/** Salesforce metadata on the origins page: import (all or nothing, problems named by file) and export as a zip. */
import { useState } from 'preact/hooks';
import type { ImportResult } from '../../../src/store/types.js';
import { api, download } from '../api.js';
import { ErrorText, notify } from '../components.js';

export function ImportExport({ disabled, onImported }: { disabled: boolean; onImported: () => void }) {
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<{ about: string; error: unknown } | null>(null);
  const onFile = async (e: Event) => {
    const input = e.currentTarget as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    setError(null);
    setMessage(null);
    try {
      const out = await api<ImportResult>(
        'POST',
        `/api/import?filename=${encodeURIComponent(file.name)}`,
        undefined,
        {
          data: await file.arrayBuffer(),
          contentType: file.name.endsWith('.zip') ? 'application/zip' : 'application/xml',
        },
      );
      const text = `Imported ${file.name}: ${out.allowlistCreated} origins added (${out.allowlistUnchanged} already there), ${out.trustedSitesCreated} trusted sites added and ${out.trustedSitesUpdated} updated${out.settingsChanged ? ', settings changed' : ''}.`;
      setMessage(text);
      notify(`Imported ${file.name}; in force at the gateway now.`);
      onImported();
    } catch (err) {
      setError({ about: `Import of ${file.name}`, error: err });
    } finally {
      input.value = '';
    }
  };
  const exportZip = () => {
    setError(null);
    download('/api/export', 'corsgate-metadata.zip').then(
      () =>
        notify(
          'Exported corsgate-metadata.zip: the allowlist, trusted sites and settings as Salesforce metadata.',
        ),
      (err) => setError({ about: 'Export', error: err }),
    );
  };
  return (
    <section class="card" aria-labelledby="io-title">
      <h2 id="io-title">Salesforce metadata</h2>
      <p>
        Import <code>CorsWhitelistOrigin</code> and <code>CspTrustedSite</code> files,{' '}
        <code>Security.settings</code>, or a zip of a metadata folder. Everything is checked first; nothing is
        written unless all of it is valid.
      </p>
      <label for="import">Import a file (.xml, .zip, .corsWhitelistOrigin, .cspTrustedSite, .settings)</label>
      <input
        id="import"
        type="file"
        accept=".xml,.zip,.corsWhitelistOrigin,.cspTrustedSite,.settings"
        disabled={disabled}
        onChange={onFile}
      />
      <button type="button" class="secondary" onClick={exportZip}>
        Export as a metadata zip
      </button>
      {message && <p class="ok">{message}</p>}
      <ErrorText error={error?.error} about={error?.about} />
    </section>
  );
}
