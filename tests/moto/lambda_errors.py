"""Lambda invocations without Docker, answered as AWS answers them.

The gap: moto runs a function's code only in Docker. Its Docker-free backend
(`LambdaSimpleBackend`, chosen through `POST /moto-api/config` with
`{"lambda": {"use_docker": false}}`) answers every `Invoke` with success: with the queued
result (`POST /moto-api/static/lambda-simple/response`), else the request's own payload,
even for a function that does not exist, and never with a function error.

AWS's `Invoke` (Lambda API reference): a function that does not exist is
`ResourceNotFoundException` (404); a function that raised answers 200 with the header
`X-Amz-Function-Error: Unhandled` and its error object as the payload
(`{"errorMessage": ..., "errorType": ..., "stackTrace": [...]}`).

`function_errors()` patches the simple backend so that an unknown function is refused as
AWS refuses it, and a queued result that is such an error object is answered with the
`X-Amz-Function-Error` header. Successful results are left as moto answers them.
"""

import json


def function_errors():
    from moto.awslambda_simple import models

    invoke_simply = models.LambdaSimpleBackend.invoke

    def invoke(self, function_name, qualifier, body, headers, response_headers):
        # Raises moto's UnknownFunctionException (ResourceNotFoundException, 404).
        self.get_function(function_name, qualifier)
        result = invoke_simply(self, function_name, qualifier, body, headers, response_headers)
        try:
            answer = json.loads(result)
        except (TypeError, ValueError):
            return result
        if isinstance(answer, dict) and "errorMessage" in answer and "errorType" in answer:
            response_headers["x-amz-function-error"] = "Unhandled"
        return result

    models.LambdaSimpleBackend.invoke = invoke
