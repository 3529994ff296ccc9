"""(placeholder: nn.init, filled by the network issue)"""
