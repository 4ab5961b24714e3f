// The demo function for Node's aws-lambda-ric: LAMBDA_TASK_ROOT=<this dir>,
// _HANDLER=index.handler.
exports.handler = async (event) => ({hello: "from node", event});
