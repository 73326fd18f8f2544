import os

import tensorflow as tf

SEED = 0

if __name__ == "__main__":
    # Seeds and determinism switches (added by mlfcore-fix).
    tf.random.set_seed(SEED)
    os.environ["TF_DETERMINISTIC_OPS"] = "1"
    model = tf.keras.Sequential([tf.keras.layers.Dense(2)])
    model.fit(x, y)  # trains
