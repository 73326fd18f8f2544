import os

os.environ.setdefault("TF_DETERMINISTIC_OPS", "true")
import tensorflow as tf

os.environ["TF_DETERMINISTIC_OPS"] = "1"
