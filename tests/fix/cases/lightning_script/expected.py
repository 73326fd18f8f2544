import lightning as L
import torch

SEED = 0


class Model(L.LightningModule):
    def __init__(self):
        super().__init__()
        self.layer = torch.nn.Linear(2, 1)


def main():
    trainer = L.Trainer(max_epochs=1)
    trainer.fit(Model())


if __name__ == "__main__":
    # Seeds and determinism switches (added by mlfcore-fix).
    L.seed_everything(SEED, workers=True)
    torch.use_deterministic_algorithms(True)
    main()
