import tensorflow

tensorflow.config.experimental.enable_op_determinism()
import tensorflow as tf

tf.config.experimental.enable_op_determinism()
