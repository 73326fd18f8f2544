import torch
from transformers import set_seed


def main():
    set_seed(0)
    torch.use_deterministic_algorithms(True)


if __name__ == "__main__":
    main()
