"""The official client packages the serving tests call the server with.

A module of its own, not conftest.py: `from conftest import ...` takes whichever
conftest module pytest imported last, which is another folder's when several
folders are collected in one run.
"""

import pytest


def tf_serving_apis():
    """TF Serving's official client modules (`tensorflow-serving-api`), or a failure saying how to install them."""
    try:
        from tensorflow_serving.apis import get_model_metadata_pb2
        from tensorflow_serving.apis import get_model_status_pb2
        from tensorflow_serving.apis import model_service_pb2_grpc
        from tensorflow_serving.apis import predict_pb2
        from tensorflow_serving.apis import prediction_service_pb2_grpc
    except ImportError as e:
        pytest.fail(
            "The TF Serving gRPC tests use the official stubs: pip install 'tensorflow-serving-api>=2.21,<2.22' "
            f"(in the test extra). Received: {e}"
        )
    return (
        predict_pb2, prediction_service_pb2_grpc, get_model_metadata_pb2, get_model_status_pb2, model_service_pb2_grpc
    )
