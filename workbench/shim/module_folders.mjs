// A module resolve hook (registered by bootstrap.js): a bare specifier such as
// "@aws-sdk/client-s3" that the function's own node_modules lack is looked up in the runtime's
// module folders (layers, then the SDK the runtime provides), as in Lambda's Node.js runtimes.
let folders = [];

export async function initialize(data) {
  folders = (data && data.folders) || [];
}

const isBare = (specifier) =>
  !/^(\.{1,2}\/|\/|[a-zA-Z][a-zA-Z0-9+.-]*:)/.test(specifier) && specifier !== '.';

export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    if (error.code !== 'ERR_MODULE_NOT_FOUND' || !isBare(specifier)) throw error;
    for (const folder of folders) {
      // A parent inside the folder makes Node look in folder/ itself for node_modules-style
      // package folders (folder/<name>) as well as folder/node_modules/<name>.
      const parentURL = new URL(`file://${folder.replace(/\/?$/, '/')}x.mjs`).href;
      try {
        return await nextResolve(specifier, { ...context, parentURL });
      } catch {
        // not in this folder: try the next
      }
    }
    throw error;
  }
}
