"""Save models from a notebook so modelsync serves them: ``save_model(model, "name")``."""

from ._convert import IR_VERSION, MAX_OPSET
from ._save import SavedModel, save_model
from ._wait import ModelRejected

__all__ = ["save_model", "SavedModel", "ModelRejected", "IR_VERSION", "MAX_OPSET"]
__version__ = "0.1.0"
