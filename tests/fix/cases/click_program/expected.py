import click
import torch


@click.command()
@click.option("--seed", default=0, type=int)
@click.option("--epochs", default=1, type=int)
def train(seed: int, epochs: int) -> None:
    """Train for a few epochs."""
    # Seeds and determinism switches (added by mlfcore-fix).
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)
    model = torch.nn.Linear(2, 1)
    for _ in range(epochs):
        model(torch.ones(2))


if __name__ == "__main__":
    train()
    loss.cuda().backward()  # trains on a GPU
