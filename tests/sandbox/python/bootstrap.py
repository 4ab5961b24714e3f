"""A Lambda runtime for Python handlers, standard library only.

Run by ct-runtime-py (bootstrap-py.sh) under the demo agent, as a real
Lambda Python runtime's bootstrap runs its runtime client:

1. _HANDLER ("app.handler": module app, function handler) is split, the
   folder LAMBDA_TASK_ROOT (then this script's own folder) is put first on
   sys.path, and the module is imported with the builtin __import__: the
   function's init. __import__ and `import` statements reach CPython's
   PyImport_ImportModuleLevelObject, where coldtrace traces imports;
   importlib.import_module would not.
2. Then, forever: GET /2018-06-01/runtime/invocation/next, call
   handler(event, context), POST the JSON result to .../{id}/response, or
   a handler's exception to .../{id}/error (a Lambda error document).

An exception while importing the handler is POSTed to
/2018-06-01/runtime/init/error and the process exits 1. SIGTERM and SIGINT
end the process quietly. Nothing is written to stdout but what the handler
prints; the runtime's own errors go to stderr.

The HTTP client (urllib.request) is imported only after the handler, like
the real runtime whose client is a C extension: the modules it would load
(email, http.client, socket, ...) are then imported, and seen, as the
handler's own imports.
"""

import json
import os
import signal
import sys
import time

API_VERSION = "2018-06-01"
# Lambda's error header; the agent relays it as X-Amz-Function-Error.
ERROR_TYPE_HEADER = "Lambda-Runtime-Function-Error-Type"

_opener = None


def _quit(signum, _frame):
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
    os._exit(128 + signum)


def log_error(error_type, message, tb_lines=()):
    """One "[ERROR] Type: message" line, then the stack if any, on stderr."""
    sys.stderr.write("[ERROR] %s: %s\n" % (error_type, message))
    if tb_lines:
        sys.stderr.write("Traceback (most recent call last):\n")
    for line in tb_lines:
        sys.stderr.write(line if line.endswith("\n") else line + "\n")
    sys.stderr.flush()


def error_document(exc, error_type=None, message=None, request_id=None):
    """Lambda's error JSON for exc, and its stack as a list of strings."""
    import traceback

    # The user's frames only, as on Lambda: not the runtime's own, nor
    # those of the import machinery.
    frames = [
        f
        for f in traceback.extract_tb(exc.__traceback__)
        if f.filename != __file__ and not f.filename.startswith("<frozen importlib")
    ]
    stack = [line.rstrip("\n") for line in traceback.format_list(frames)]
    doc = {
        "errorMessage": message if message is not None else str(exc),
        "errorType": error_type or type(exc).__name__,
        "stackTrace": stack,
    }
    if request_id is not None:
        doc["requestId"] = request_id
    return doc


def header_token(value, fallback):
    """value if it is a valid header token (printable ASCII), else fallback."""
    if 0 < len(value) <= 128 and all(0x21 <= ord(c) <= 0x7E for c in value):
        return value
    return fallback


class RuntimeAPI:
    """The Runtime API at http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime."""

    def __init__(self, address):
        self.base = "http://%s/%s/runtime" % (address, API_VERSION)

    def _urlopen(self, request, timeout):
        global _opener
        import urllib.request

        if _opener is None:
            # No proxy: the Runtime API is local whatever http_proxy says.
            _opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        return _opener.open(request, timeout=timeout)

    def next(self):
        """Blocks until an invoke: (request id, headers, body bytes)."""
        import urllib.request

        req = urllib.request.Request(self.base + "/invocation/next", method="GET")
        with self._urlopen(req, None) as resp:
            body = resp.read()
            headers = resp.headers
        request_id = headers.get("Lambda-Runtime-Aws-Request-Id")
        if not request_id:
            raise RuntimeError("no Lambda-Runtime-Aws-Request-Id in /next response")
        return request_id, headers, body

    def post(self, path, payload, error_type=None):
        import urllib.request

        headers = {"Content-Type": "application/json"}
        if error_type is not None:
            headers[ERROR_TYPE_HEADER] = error_type
        req = urllib.request.Request(
            self.base + path, data=payload, headers=headers, method="POST"
        )
        with self._urlopen(req, 10) as resp:
            resp.read()

    def response(self, request_id, payload):
        self.post("/invocation/%s/response" % request_id, payload)

    def invocation_error(self, request_id, doc):
        # As Lambda's runtimes do: the type is in the document, the header
        # says Unhandled.
        self.post("/invocation/%s/error" % request_id, to_json(doc), "Unhandled")

    def init_error(self, doc):
        self.post("/init/error", to_json(doc), header_token(doc["errorType"], "Unhandled"))


def to_json(value):
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


class LambdaContext:
    """The handler's context: the fields a handler usually reads."""

    def __init__(self, request_id, headers):
        env = os.environ
        self.aws_request_id = request_id
        self.function_name = env.get("AWS_LAMBDA_FUNCTION_NAME", "function")
        self.function_version = env.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.invoked_function_arn = headers.get("Lambda-Runtime-Invoked-Function-Arn", "")
        self.memory_limit_in_mb = env.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "")
        self.log_group_name = env.get("AWS_LAMBDA_LOG_GROUP_NAME", "")
        self.log_stream_name = env.get("AWS_LAMBDA_LOG_STREAM_NAME", "")
        try:
            self.deadline_ms = int(headers.get("Lambda-Runtime-Deadline-Ms", "0"))
        except ValueError:
            self.deadline_ms = 0

    def get_remaining_time_in_millis(self):
        if not self.deadline_ms:
            return 0
        return max(0, self.deadline_ms - int(time.time() * 1000))


class InitError(Exception):
    """A failure to load the handler, with Lambda's error type."""

    def __init__(self, error_type, message, cause):
        super().__init__(message)
        self.error_type = error_type
        self.cause = cause


def load_handler(spec):
    """Imports the handler's module (the function's init), returns the handler."""
    modname, dot, funcname = spec.rpartition(".")
    if not dot or not modname or not funcname:
        err = ValueError("Bad handler '%s': not enough values to unpack (expected 2, got 1)" % spec)
        raise InitError("Runtime.MalformedHandlerName", str(err), err)
    modname = modname.replace("/", ".")
    try:
        __import__(modname)
        module = sys.modules[modname]
    except ImportError as e:
        raise InitError(
            "Runtime.ImportModuleError", "Unable to import module '%s': %s" % (modname, e), e
        ) from e
    except SyntaxError as e:
        raise InitError(
            "Runtime.UserCodeSyntaxError", "Syntax error in module '%s': %s" % (modname, e), e
        ) from e
    except Exception as e:  # the module's own code failed
        raise InitError(type(e).__name__, str(e), e) from e
    handler = getattr(module, funcname, None)
    if handler is None:
        err = AttributeError("Handler '%s' missing on module '%s'" % (funcname, modname))
        raise InitError("Runtime.HandlerNotFound", str(err), err)
    if not callable(handler):
        err = TypeError("Handler '%s' on module '%s' is not callable" % (funcname, modname))
        raise InitError("Runtime.HandlerNotFound", str(err), err)
    return handler


def handle_one(api, handler):
    request_id, headers, body = api.next()
    context = LambdaContext(request_id, headers)
    try:
        event = json.loads(body) if body.strip() else None
    except ValueError as e:
        doc = error_document(e, "Runtime.UnmarshalError",
                             "Unable to unmarshal input: %s" % e, request_id)
        log_error(doc["errorType"], doc["errorMessage"])
        api.invocation_error(request_id, doc)
        return
    try:
        result = handler(event, context)
    except Exception as e:
        doc = error_document(e, request_id=request_id)
        log_error(doc["errorType"], doc["errorMessage"],
                  doc["stackTrace"])
        api.invocation_error(request_id, doc)
        return
    try:
        payload = to_json(result)
    except (TypeError, ValueError) as e:
        doc = error_document(e, "Runtime.MarshalError",
                             "Unable to marshal response: %s" % e, request_id)
        log_error(doc["errorType"], doc["errorMessage"])
        api.invocation_error(request_id, doc)
        return
    api.response(request_id, payload)


def main():
    signal.signal(signal.SIGTERM, _quit)
    signal.signal(signal.SIGINT, _quit)
    # What the handler prints reaches the log line by line, as on Lambda.
    sys.stdout.reconfigure(line_buffering=True)

    address = os.environ.get("AWS_LAMBDA_RUNTIME_API")
    if not address:
        sys.stderr.write("bootstrap.py: AWS_LAMBDA_RUNTIME_API is not set\n")
        return 1
    spec = os.environ.get("_HANDLER", "")
    api = RuntimeAPI(address)

    here = os.path.dirname(os.path.abspath(__file__))
    for folder in (here, os.environ.get("LAMBDA_TASK_ROOT", "")):
        if folder and folder not in sys.path:
            sys.path.insert(0, folder)  # LAMBDA_TASK_ROOT ends up first

    try:
        handler = load_handler(spec)
    except InitError as e:
        doc = error_document(e.cause, e.error_type, str(e))
        log_error(doc["errorType"], doc["errorMessage"],
                  doc["stackTrace"])
        try:
            api.init_error(doc)
        except OSError as post_err:
            sys.stderr.write("bootstrap.py: POST /init/error failed: %s\n" % post_err)
        return 1

    failures = 0
    while True:
        try:
            handle_one(api, handler)
            failures = 0
        except OSError as e:  # URLError and HTTPError are OSErrors
            failures += 1
            sys.stderr.write("bootstrap.py: Runtime API call failed: %s\n" % e)
            if failures >= 5:
                sys.stderr.write("bootstrap.py: the Runtime API keeps failing, exiting\n")
                return 1
            time.sleep(0.1)
        except RuntimeError as e:
            sys.stderr.write("bootstrap.py: %s\n" % e)
            return 1


if __name__ == "__main__":
    sys.exit(main())
