'use strict';
/**
 * A small Node.js runtime for the AWS Lambda Runtime API (2018-06-01).
 *
 * Like bootstrap.py next to it, it loads the handler once (the "init" phase), then loops
 * forever: ask the Runtime API for the next event, call the handler, post back the result or
 * the error. Error names, messages and log lines follow AWS's own Node.js runtime client
 * (aws/aws-lambda-nodejs-runtime-interface-client). Node's standard library only.
 *
 *     AWS_LAMBDA_RUNTIME_API=host:port _HANDLER=index.handler node bootstrap.js
 */

const fs = require('fs');
const http = require('http');
const path = require('path');
const url = require('url');
const util = require('util');

const API = '/2018-06-01/runtime';
let requestId; // the invoke in progress: undefined during init, and AWS's logs say so too

// --- Errors the runtime diagnoses itself ("Runtime.*") -----------------------------------------
function runtimeError(name) {
  const RuntimeError = class extends Error {};
  RuntimeError.prototype.name = `Runtime.${name}`;
  return RuntimeError;
}
const ImportModuleError = runtimeError('ImportModuleError');
const HandlerNotFound = runtimeError('HandlerNotFound');
const MalformedHandlerName = runtimeError('MalformedHandlerName');
const UserCodeSyntaxError = runtimeError('UserCodeSyntaxError');
const UnhandledPromiseRejection = runtimeError('UnhandledPromiseRejection');

// The body posted to /error and /init/error. Node's runtime says "trace" (Python: "stackTrace").
function errorBody(error) {
  if (error instanceof Error) {
    const trace = String(error.stack).split('\n');
    return { errorType: error.name, errorMessage: error.message, trace };
  }
  return { errorType: typeof error, errorMessage: String(error), trace: [] };
}

// --- Logging: console.* as Lambda's Node.js runtime writes it ----------------------------------
// "<ISO time>\t<request id>\t<LEVEL>\t<message>". fs.writeSync finishes before it returns, so a
// line is in the log before the next Runtime API call goes out (the host reads the log up to
// that call); process.stdout may still be writing when the request leaves.
function writeLine(text, fd = 1) {
  let rest = Buffer.from(text + '\n');
  while (rest.length > 0) {
    try {
      rest = rest.subarray(fs.writeSync(fd, rest));
    } catch (err) {
      if (err.code !== 'EAGAIN') throw err; // a full non-blocking pipe: the host will drain it
    }
  }
}

function patchConsole() {
  const levels = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];
  const wanted = (process.env.AWS_LAMBDA_LOG_LEVEL || 'TRACE').toUpperCase();
  const lowest = Math.max(levels.indexOf(wanted), 0);
  const logger = (level) => {
    if (levels.indexOf(level) < lowest) return () => {};
    return (...args) =>
      writeLine(`${new Date().toISOString()}\t${requestId}\t${level}\t${util.format(...args)}`);
  };
  Object.assign(console, {
    trace: logger('TRACE'),
    debug: logger('DEBUG'),
    info: logger('INFO'),
    log: logger('INFO'),
    warn: logger('WARN'),
    error: logger('ERROR'),
    fatal: logger('FATAL'),
  });
}

// "Invoke Error \t{...}": the error as JSON, its own properties included, stack as a list.
function logError(label, error) {
  const err = error instanceof Error ? error : new Error(error);
  const fields = { errorType: err.name, errorMessage: err.message, code: err.code, ...err };
  console.error(label, '\t' + JSON.stringify({ ...fields, stack: String(err.stack).split('\n') }));
}

// --- Talking to the Runtime API ------------------------------------------------------------------
class RuntimeClient {
  constructor(address) {
    const [host, port] = address.split(':');
    this.host = host;
    this.port = Number(port);
    // A kept-alive connection: a TCP handshake per call would dominate a warm invoke. No
    // timeout: the environment may be frozen for hours while GET /next is outstanding.
    this.agent = new http.Agent({ keepAlive: true });
  }

  request(method, apiPath, body, headers = {}) {
    const attempt = () =>
      new Promise((resolve, reject) => {
        const options = { host: this.host, port: this.port, method, headers, agent: this.agent };
        const req = http.request({ ...options, path: API + apiPath }, (res) => {
          const chunks = [];
          res.on('data', (chunk) => chunks.push(chunk));
          res.on('end', () =>
            resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }),
          );
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end(body);
      });
    // The server may have dropped the idle connection: retry once on a fresh one.
    return attempt().catch(attempt);
  }

  post(apiPath, json, headers = {}) {
    return this.request('POST', apiPath, json, { 'Content-Type': 'application/json', ...headers });
  }

  postError(apiPath, error) {
    const body = errorBody(error);
    const headers = { 'Lambda-Runtime-Function-Error-Type': body.errorType };
    return this.post(apiPath, JSON.stringify(body), headers);
  }
}

// --- Init: find the handler ----------------------------------------------------------------------
// "src/app.handler": module "app" in folder "src/", function "handler" (a dotted path is allowed).
async function loadHandler(taskRoot, fullHandler) {
  if (fullHandler.includes('..')) {
    throw new MalformedHandlerName(
      `'${fullHandler}' is not a valid handler name. ` +
        'Use absolute paths when specifying root directories in handler names.',
    );
  }
  const base = path.basename(fullHandler);
  const moduleRoot = fullHandler.slice(0, fullHandler.length - base.length);
  const match = base.match(/^([^.]*)\.(.*)$/);
  if (!match) throw new MalformedHandlerName('Bad handler');
  const [, moduleName, functionPath] = match;
  let app;
  try {
    app = await loadModule(path.resolve(taskRoot, moduleRoot, moduleName), moduleName, [
      taskRoot,
      path.join(taskRoot, moduleRoot),
    ]);
  } catch (err) {
    if (err instanceof SyntaxError) {
      throw Object.assign(new UserCodeSyntaxError(String(err)), { stack: err.stack });
    }
    if (err.code === 'MODULE_NOT_FOUND') throw new ImportModuleError(String(err));
    throw err; // the module's own init code failed: reported as it is
  }
  const handler = functionPath.split('.').reduce((object, key) => object && object[key], app);
  if (!handler) throw new HandlerNotFound(`${fullHandler} is undefined or not exported`);
  if (typeof handler !== 'function') throw new HandlerNotFound(`${fullHandler} is not a function`);
  return handler;
}

// file.js and file.cjs are CommonJS (unless package.json says "type": "module"), file.mjs is an
// ES module; failing those, a package from node_modules, or Node's "Cannot find module" error.
async function loadModule(file, moduleName, searchPaths) {
  for (const extension of ['.js', '.mjs', '.cjs']) {
    if (!fs.existsSync(file + extension)) continue;
    const esm = () => import(url.pathToFileURL(file + extension).href);
    if (extension === '.mjs') return esm();
    try {
      return require(file + extension);
    } catch (err) {
      if (err.code === 'ERR_REQUIRE_ESM') return esm();
      throw err;
    }
  }
  return require(require.resolve(moduleName, { paths: searchPaths }));
}

// --- Where packages come from: the function, its layers, then what the runtime provides ------
// Lambda's NODE_PATH for Node.js runtimes (configuration-envvars.html). The process backend has
// no /opt: it names the layers' folder and its copy of the AWS SDK v3 in two variables.
function moduleFolders(taskRoot) {
  const opt = process.env.LAMBDA_WORKBENCH_OPT || '/opt';
  const runtimeDir = process.env.LAMBDA_RUNTIME_DIR || '/var/runtime';
  const major = process.versions.node.split('.')[0];
  const provided = process.env.LAMBDA_WORKBENCH_NODE_MODULES;
  return [
    `${opt}/nodejs/node${major}/node_modules`,
    `${opt}/nodejs/node_modules`,
    provided || `${runtimeDir}/node_modules`,
    runtimeDir,
    taskRoot,
  ];
}

// require() reads NODE_PATH; import does not, so a resolve hook retries a bare specifier the
// function's own node_modules lack from each folder, as Lambda's runtime resolves its SDK.
function useModuleFolders(taskRoot) {
  const folders = moduleFolders(taskRoot);
  process.env.NODE_PATH = folders.join(path.delimiter);
  require('module').Module._initPaths();
  const { register } = require('module');
  if (typeof register === 'function') {
    register(url.pathToFileURL(path.join(__dirname, 'module_folders.mjs')).href, {
      data: { folders },
    });
  }
}

// --- The invoke loop -----------------------------------------------------------------------------
let onEmptyEventLoop = null; // what to do once the handler's pending work has all run
process.on('beforeExit', () => {
  const run = onEmptyEventLoop;
  onEmptyEventLoop = null;
  if (run) run();
});

function buildContext(headers, report) {
  const env = process.env;
  const json = (name) => (headers[name] ? JSON.parse(headers[name]) : undefined);
  const deadline = Number(headers['lambda-runtime-deadline-ms']);
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'],
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE, // a string, as in AWS
    awsRequestId: headers['lambda-runtime-aws-request-id'],
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
    identity: json('lambda-runtime-cognito-identity'),
    clientContext: json('lambda-runtime-client-context'),
    tenantId: headers['lambda-runtime-aws-tenant-id'],
    getRemainingTimeInMillis: () => deadline - Date.now(),
    // The old ways to finish, still supported: they don't wait for the event loop.
    succeed: (result) => report(null, result),
    fail: (error) => report(error ?? 'handled'),
    done: (error, result) => report(error, result),
  };
  // callback(error, result): by default the result is sent once the event loop is empty.
  const callback = (error, result) => {
    if (error != null || !context.callbackWaitsForEmptyEventLoop) return report(error, result);
    onEmptyEventLoop = () => report(null, result);
  };
  return [context, callback];
}

async function invokeOnce(client, handler) {
  const next = await client.request('GET', '/invocation/next');
  if (next.status !== 200) {
    writeLine(`bootstrap: GET /next answered ${next.status}: ${next.body}`, 2);
    process.exit(1);
  }
  const headers = next.headers; // Node gives header names in lower case
  const id = (requestId = headers['lambda-runtime-aws-request-id']);
  if (headers['lambda-runtime-trace-id']) {
    process.env._X_AMZN_TRACE_ID = headers['lambda-runtime-trace-id']; // the X-Ray SDK reads it
  } else {
    delete process.env._X_AMZN_TRACE_ID; // never leak the previous invoke's trace
  }
  let reported = false;
  const report = (error, result) => {
    if (reported) return; // only the first answer counts
    reported = true;
    onEmptyEventLoop = null;
    let json;
    if (error == null) {
      try {
        json = JSON.stringify(result === undefined ? null : result);
      } catch {
        error = new Error('Unable to stringify response body'); // a cycle, a BigInt...
      }
    }
    let call;
    if (error != null) {
      logError('Invoke Error', error);
      call = client.postError(`/invocation/${id}/error`, error);
    } else {
      call = client.post(`/invocation/${id}/response`, json);
    }
    call.then(() => setImmediate(loop, client, handler), lostApi);
  };
  // A handler that neither returns a promise nor calls back succeeds with null, as on AWS.
  onEmptyEventLoop = () => report(null, null);
  try {
    const [context, callback] = buildContext(headers, report); // may fail on a bad header
    const result = handler(JSON.parse(next.body), context, callback);
    if (result && typeof result.then === 'function') {
      result.then((value) => report(null, value), (error) => report(error ?? 'handled'));
    }
  } catch (error) {
    report(error); // thrown by the handler (or a malformed event): a function error
  }
}

function loop(client, handler) {
  invokeOnce(client, handler).catch(lostApi);
}

function lostApi(err) {
  writeLine(`bootstrap: lost the Runtime API: ${err}`, 2);
  process.exit(1);
}

async function main() {
  const address = process.env.AWS_LAMBDA_RUNTIME_API;
  if (!address) {
    writeLine('bootstrap: AWS_LAMBDA_RUNTIME_API is not set (expected host:port)', 2);
    process.exit(2);
  }
  patchConsole();
  const client = new RuntimeClient(address);
  // An exception nobody caught: during init it fails the init; during an invoke it fails the
  // invoke. Either way the runtime exits (129, or 128 for a rejected promise, as AWS's does).
  const crash = (label, error, exitCode) => {
    logError(label, error);
    const where = requestId ? `/invocation/${requestId}/error` : '/init/error';
    const exit = () => process.exit(exitCode);
    client.postError(where, error).then(exit, exit);
  };
  process.on('uncaughtException', (error) => crash('Uncaught Exception', error, 129));
  process.on('unhandledRejection', (reason) =>
    crash('Unhandled Promise Rejection', new UnhandledPromiseRejection(String(reason)), 128),
  );
  const taskRoot = process.env.LAMBDA_TASK_ROOT || '/var/task';
  useModuleFolders(taskRoot);
  let handler;
  try {
    handler = await loadHandler(taskRoot, process.env._HANDLER || '');
  } catch (error) {
    return crash('Uncaught Exception', error, 129);
  }
  loop(client, handler);
}

main();
