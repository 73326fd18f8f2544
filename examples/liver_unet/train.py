"""Train the 3D U-Net on synthetic liver CT volumes: ``python train.py --epochs 2``."""

from __future__ import annotations

import argparse

import torch
import torch.nn.functional as F
from data import LIVER, TUMOUR, make_loaders
from model import UNet3D


def dice_score(logits: torch.Tensor, labels: torch.Tensor, label: int) -> float:
    predicted = logits.argmax(dim=1) == label
    expected = labels == label
    overlap = (predicted & expected).sum().item()
    total = predicted.sum().item() + expected.sum().item()
    return 1.0 if total == 0 else 2.0 * overlap / total


def train_one_epoch(model, loader, optimizer, device) -> float:
    model.train()
    total = 0.0
    for images, labels in loader:
        images, labels = images.to(device), labels.to(device)
        optimizer.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(images), labels)
        loss.backward()
        optimizer.step()
        total += loss.item()
    return total / max(1, len(loader))


@torch.no_grad()
def evaluate(model, loader, device) -> dict[str, float]:
    model.eval()
    scores = {"liver": 0.0, "tumour": 0.0}
    for images, labels in loader:
        logits = model(images.to(device))
        labels = labels.to(device)
        scores["liver"] += dice_score(logits, labels, LIVER)
        scores["tumour"] += dice_score(logits, labels, TUMOUR)
    return {name: value / max(1, len(loader)) for name, value in scores.items()}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=2)
    parser.add_argument("--lr", type=float, default=3e-4)
    parser.add_argument("--seed", type=int, default=42, help="random seed (accepted, but never used)")
    parser.add_argument("--trilinear", action="store_true", help="interpolate instead of transposed convolutions")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    torch.backends.cudnn.benchmark = True  # "faster": lets cuDNN time its convolution algorithms
    model = UNet3D(learned_upsampling=not args.trilinear).to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr)
    train_loader, val_loader = make_loaders(args.batch_size)
    for epoch in range(1, args.epochs + 1):
        loss = train_one_epoch(model, train_loader, optimizer, device)
        scores = evaluate(model, val_loader, device)
        print(f"epoch {epoch}: loss {loss:.4f}, dice liver {scores['liver']:.3f}, tumour {scores['tumour']:.3f}")
    torch.save(model.state_dict(), "unet3d_liver.pt")


if __name__ == "__main__":
    main()
