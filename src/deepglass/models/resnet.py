"""ResNet (He et al. 2016) with torchvision's architecture and state-dict keys, plus SE / CBAM variants.

Each residual unit learns a correction F(x) to its input, y = ReLU(F(x) + shortcut(x)),
so very deep stacks train (the gradient flows through the identity paths).
``attention="se"`` / ``"cbam"`` re-weights F(x) before the addition, as in
SE-ResNet (Hu et al. 2017) and CBAM-ResNet (Woo et al. 2018); the extra module
is ``layerX.Y.attention``.

Small inputs: ``in_channels`` sets the stem's input channels; the adaptive
average pool lets any input size ≥ 1×1 reach the classifier, so
``resnet18(num_classes=10, in_channels=1)`` runs on 1×8×8 digits. For 32×32
images, ``small_input=True`` swaps the 7×7/2 stem and the max-pool for a 3×3/1
stem (the usual CIFAR ResNet) so the feature maps are not shrunk 4× at once.
"""
from __future__ import annotations

from .. import nn
from ..autograd.grad_mode import no_grad
from ..nn import init

__all__ = ["ResNet", "BasicBlock", "Bottleneck", "resnet18", "resnet34", "resnet50"]


def conv3x3(in_planes, out_planes, stride=1, groups=1, dilation=1):
    return nn.Conv2d(in_planes, out_planes, kernel_size=3, stride=stride, padding=dilation, groups=groups,
                     bias=False, dilation=dilation)


def conv1x1(in_planes, out_planes, stride=1):
    return nn.Conv2d(in_planes, out_planes, kernel_size=1, stride=stride, bias=False)


def _attention_module(kind, channels):
    if kind is None:
        return None
    if kind == "se":
        return nn.SqueezeExcitation(channels, reduction=16)
    if kind == "cbam":
        return nn.CBAM(channels, reduction=16)
    raise ValueError(f"attention must be None, 'se' or 'cbam', got {kind!r}")


class BasicBlock(nn.Module):
    """Two 3×3 convolutions: y = ReLU(BN(conv(ReLU(BN(conv(x))))) + shortcut(x)); expansion 1."""

    expansion = 1

    def __init__(self, inplanes, planes, stride=1, downsample=None, groups=1, base_width=64, dilation=1,
                 norm_layer=None, attention=None):
        super().__init__()
        norm_layer = norm_layer or nn.BatchNorm2d
        if groups != 1 or base_width != 64:
            raise ValueError("BasicBlock only supports groups=1 and base_width=64")
        if dilation > 1:
            raise NotImplementedError("Dilation > 1 not supported in BasicBlock")
        self.conv1 = conv3x3(inplanes, planes, stride)
        self.bn1 = norm_layer(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = conv3x3(planes, planes)
        self.bn2 = norm_layer(planes)
        self.attention = _attention_module(attention, planes)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x):
        identity = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        if self.attention is not None:
            out = self.attention(out)
        if self.downsample is not None:
            identity = self.downsample(x)
        return self.relu(out + identity)


class Bottleneck(nn.Module):
    """1×1 reduce, 3×3 (stride here, as torchvision's V1.5), 1×1 expand (×4), plus the shortcut."""

    expansion = 4

    def __init__(self, inplanes, planes, stride=1, downsample=None, groups=1, base_width=64, dilation=1,
                 norm_layer=None, attention=None):
        super().__init__()
        norm_layer = norm_layer or nn.BatchNorm2d
        width = int(planes * (base_width / 64.0)) * groups
        self.conv1 = conv1x1(inplanes, width)
        self.bn1 = norm_layer(width)
        self.conv2 = conv3x3(width, width, stride, groups, dilation)
        self.bn2 = norm_layer(width)
        self.conv3 = conv1x1(width, planes * self.expansion)
        self.bn3 = norm_layer(planes * self.expansion)
        self.relu = nn.ReLU(inplace=True)
        self.attention = _attention_module(attention, planes * self.expansion)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x):
        identity = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        if self.attention is not None:
            out = self.attention(out)
        if self.downsample is not None:
            identity = self.downsample(x)
        return self.relu(out + identity)


class ResNet(nn.Module):
    """torchvision's ResNet: stem (7×7/2 conv, BN, ReLU, 3×3/2 max-pool), four stages, global pool, fc.

    Args:
        block: :class:`BasicBlock` or :class:`Bottleneck`.
        layers: units per stage, e.g. ``[2, 2, 2, 2]`` for ResNet-18.
        num_classes: outputs of ``fc`` (1000).
        zero_init_residual: start each unit's last BN at γ = 0 (the unit begins as the identity).
        groups, width_per_group, replace_stride_with_dilation, norm_layer: as torchvision.
        attention: None, ``"se"`` or ``"cbam"`` — a block in every residual unit.
        in_channels: input channels of the stem (3).
        small_input: 3×3/1 stem without max-pool, for 32×32-sized images.

    Shape:
        ``(N, in_channels, H, W)`` → ``(N, num_classes)`` for any H, W ≥ 1.

    Example:
        >>> model = resnet18(num_classes=10, in_channels=1)
        >>> model(deepglass.randn(4, 1, 8, 8)).shape
        (4, 10)
    """

    def __init__(self, block, layers, num_classes=1000, zero_init_residual=False, groups=1, width_per_group=64,
                 replace_stride_with_dilation=None, norm_layer=None, *, attention=None, in_channels=3,
                 small_input=False):
        super().__init__()
        norm_layer = norm_layer or nn.BatchNorm2d
        self._norm_layer = norm_layer
        self._attention = attention
        _attention_module(attention, 16)  # validate early
        self.inplanes = 64
        self.dilation = 1
        replace_stride_with_dilation = replace_stride_with_dilation or [False, False, False]
        if len(replace_stride_with_dilation) != 3:
            raise ValueError("replace_stride_with_dilation should be None or a 3-element tuple, got "
                             f"{replace_stride_with_dilation}")
        self.groups = groups
        self.base_width = width_per_group
        if small_input:
            self.conv1 = nn.Conv2d(in_channels, self.inplanes, kernel_size=3, stride=1, padding=1, bias=False)
        else:
            self.conv1 = nn.Conv2d(in_channels, self.inplanes, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = norm_layer(self.inplanes)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.Identity() if small_input else nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(block, 64, layers[0])
        self.layer2 = self._make_layer(block, 128, layers[1], stride=2, dilate=replace_stride_with_dilation[0])
        self.layer3 = self._make_layer(block, 256, layers[2], stride=2, dilate=replace_stride_with_dilation[1])
        self.layer4 = self._make_layer(block, 512, layers[3], stride=2, dilate=replace_stride_with_dilation[2])
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(512 * block.expansion, num_classes)
        with no_grad():
            for m in self.modules():
                if isinstance(m, nn.Conv2d):
                    init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                elif isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)):
                    init.constant_(m.weight, 1)
                    init.constant_(m.bias, 0)
            if zero_init_residual:
                for m in self.modules():
                    if isinstance(m, Bottleneck):
                        init.constant_(m.bn3.weight, 0)
                    elif isinstance(m, BasicBlock):
                        init.constant_(m.bn2.weight, 0)

    def _make_layer(self, block, planes, blocks, stride=1, dilate=False):
        norm_layer = self._norm_layer
        downsample = None
        previous_dilation = self.dilation
        if dilate:
            self.dilation *= stride
            stride = 1
        if stride != 1 or self.inplanes != planes * block.expansion:
            downsample = nn.Sequential(conv1x1(self.inplanes, planes * block.expansion, stride),
                                       norm_layer(planes * block.expansion))
        extra = {} if self._attention is None else {"attention": self._attention}  # custom blocks need not take it
        layers = [block(self.inplanes, planes, stride, downsample, self.groups, self.base_width, previous_dilation,
                        norm_layer, **extra)]
        self.inplanes = planes * block.expansion
        for _ in range(1, blocks):
            layers.append(block(self.inplanes, planes, groups=self.groups, base_width=self.base_width,
                                dilation=self.dilation, norm_layer=norm_layer, **extra))
        return nn.Sequential(*layers)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        x = self.avgpool(x).flatten(1)
        return self.fc(x)


def resnet18(num_classes=1000, attention=None, in_channels=3, small_input=False, **kwargs):
    """ResNet-18 (BasicBlock ×[2, 2, 2, 2]); 11,689,512 parameters at 1000 classes (torchvision's figure).

    Args:
        num_classes: classifier outputs. attention: None, "se" or "cbam".
        in_channels: image channels (1 for grey digits). small_input: CIFAR-style 3×3 stem, no max-pool.
        **kwargs: passed to :class:`ResNet` (zero_init_residual, norm_layer, ...).

    Example:
        >>> resnet18(num_classes=10, in_channels=1)(deepglass.randn(2, 1, 8, 8)).shape
        (2, 10)
    """
    return ResNet(BasicBlock, [2, 2, 2, 2], num_classes, attention=attention, in_channels=in_channels,
                  small_input=small_input, **kwargs)


def resnet34(num_classes=1000, attention=None, in_channels=3, small_input=False, **kwargs):
    """ResNet-34 (BasicBlock ×[3, 4, 6, 3]); 21,797,672 parameters at 1000 classes. Args as :func:`resnet18`."""
    return ResNet(BasicBlock, [3, 4, 6, 3], num_classes, attention=attention, in_channels=in_channels,
                  small_input=small_input, **kwargs)


def resnet50(num_classes=1000, attention=None, in_channels=3, small_input=False, **kwargs):
    """ResNet-50 (Bottleneck ×[3, 4, 6, 3]); 25,557,032 parameters at 1000 classes. Args as :func:`resnet18`."""
    return ResNet(Bottleneck, [3, 4, 6, 3], num_classes, attention=attention, in_channels=in_channels,
                  small_input=small_input, **kwargs)
