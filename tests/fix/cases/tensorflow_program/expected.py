import tensorflow as tf

SEED = 0

if __name__ == "__main__":
    # Seeds and determinism switches (added by mlfcore-fix).
    tf.keras.utils.set_random_seed(SEED)
    tf.config.experimental.enable_op_determinism()
    model = tf.keras.Sequential([tf.keras.layers.Dense(2)])
    model.fit(x, y)  # trains
