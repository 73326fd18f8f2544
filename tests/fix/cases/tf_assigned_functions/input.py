import tensorflow as tf
from tensorflow.config import threading

tf.config.threading.set_intra_op_parallelism_threads = 1
threading.set_inter_op_parallelism_threads = 1  # one thread
tf.config.experimental.enable_op_determinism = True
