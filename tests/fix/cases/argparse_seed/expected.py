import argparse

import torch


def parse_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("--random-seed", type=int, default=1)
    parser.add_argument("--lr", type=float, default=0.1)
    return parser.parse_args()


def main():
    args = parse_args()
    # Seeds and determinism switches (added by mlfcore-fix).
    torch.manual_seed(args.random_seed)
    torch.use_deterministic_algorithms(True)
    model = torch.nn.Linear(2, 1)
    torch.optim.SGD(model.parameters(), lr=args.lr)


if __name__ == "__main__":
    main()
    loss.cuda().backward()  # trains on a GPU
