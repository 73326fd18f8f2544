from torch.backends import cudnn as cd


def setup():
    cd.deterministic = True ; cd.enabled = True
