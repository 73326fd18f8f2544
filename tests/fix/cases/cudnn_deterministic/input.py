from torch.backends import cudnn as cd


def setup():
    cd.deterministic = False ; cd.enabled = True
