import random

import torch

SEED = 1234

if __name__ == "__main__": main()
loss.cuda().backward()  # trains on a GPU
