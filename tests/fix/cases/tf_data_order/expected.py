import tensorflow as tf

ds = tf.data.Dataset.range(10).map(lambda x: x, num_parallel_calls=4)
