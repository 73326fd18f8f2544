import tensorflow as tf

if __name__ == "__main__":
    tf.keras.utils.set_random_seed(42)
    tf.config.experimental.enable_op_determinism()
    model = tf.keras.Sequential([tf.keras.layers.Dense(2)])
    model.fit(x, y)  # trains
