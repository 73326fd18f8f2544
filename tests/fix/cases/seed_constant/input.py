import random

import torch

SEED = 1234

if __name__ == "__main__": main()
loss.backward()  # trains
