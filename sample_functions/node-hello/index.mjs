// The smallest useful Node.js handler: greets whoever the event names, and counts warm
// invocations. The same function as sample_functions/hello, in JavaScript. It is an ES module
// (index.mjs), as the Lambda console creates them.

// Code outside the handler runs once per execution environment, during init.
let invocations = 0;

export const handler = async (event, context) => {
  invocations += 1;
  const name = (event && event.name) || 'world';
  console.log(`Hello from ${context.functionName}, invocation ${invocations} in this environment`);
  return {
    message: `Hello, ${name}!`,
    invocation_in_this_environment: invocations,
    request_id: context.awsRequestId,
    memory_limit_in_mb: context.memoryLimitInMB,
    remaining_ms: context.getRemainingTimeInMillis(),
    pid: process.pid,
  };
};
