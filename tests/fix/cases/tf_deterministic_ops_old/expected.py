import os

import tensorflow as tf

os.environ["TF_DETERMINISTIC_OPS"] = "1"
