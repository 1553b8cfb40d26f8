"""The lecture's networks (issue 5): exact parameter counts against the published figures, every
layer's output shape against the lecture's tables, torch parity of the small networks' forward
pass, torchvision state-dict keys, and forward + backward of each ImageNet-sized network."""
import numpy as np
import pytest

import tensorlite as tl
from tensorlite import nn
from tensorlite.models import get_model


def n_params(model):
    return sum(p.numel() for p in model.parameters())


def conv_params(cin, cout, k, groups=1):
    return cout * (cin // groups) * k * k + cout


def fc_params(fin, fout):
    return fin * fout + fout


def output_shapes(model, names, input_shape):
    """{name: output shape without the batch dim} for the named submodules, from one eval forward."""
    shapes, handles = {}, []
    for name in names:
        mod = model.get_submodule(name)
        handles.append(mod.register_forward_hook(
            lambda m, i, o, name=name: shapes.__setitem__(name, tuple(o.shape[1:]))))
    model.eval()
    try:
        with tl.no_grad():
            model(tl.zeros(1, *input_shape))
    finally:
        for h in handles:
            h.remove()
    return [shapes[n] for n in names]


def table_rows(info, kinds=("Conv2d", "MaxPool2d", "AvgPool2d", "Linear")):
    """(type, shape without batch dim) for summary rows of the given layer types, in call order."""
    return [(kind, shape[1:]) for _, kind, shape, _ in info["rows"] if kind in kinds]


def forward_backward(model, shape, batch=1):
    """One training-mode forward and backward; every parameter gets a finite gradient."""
    tl.manual_seed(0)
    model.train()
    x = tl.randn(batch, *shape)
    out = model(x)
    outs = tuple(out) if isinstance(out, tuple) else (out,)
    loss = outs[0].square().mean()
    for o in outs[1:]:                   # GoogLeNet's auxiliary classifiers
        loss = loss + o.square().mean()
    loss.backward()
    for name, p in model.named_parameters():
        assert p.grad is not None and tuple(p.grad.shape) == tuple(p.shape), name
        assert np.isfinite(p.grad.numpy()).all(), name
    return outs[0]


LECTURE_MODELS = ["mlp_cifar10", "matlab_cnn", "matlab_cnn_bn", "keras_mnist_simple", "keras_mnist_cnn",
                  "fashion_mnist_cnn", "alexnet", "zfnet", "vgg16", "vgg19", "vgg16_bn", "vgg19_bn",
                  "googlenet", "xception", "resnet18", "resnet34", "resnet50"]


def test_registry_lists_the_lecture_networks():
    assert set(LECTURE_MODELS) <= set(tl.models.available_models())
    with pytest.raises(ValueError, match="get_model.*'vgg17'.*available"):
        get_model("vgg17")


# ---------------------------------------------------------------- CIFAR-10 MLP and MATLAB CNN
def test_mlp_count_shapes_and_tanh(torch):
    m = get_model("mlp_cifar10")
    assert n_params(m) == fc_params(3072, 1000) + fc_params(1000, 512) + fc_params(512, 10) == 3_590_642
    info = m.summary((1, 3, 32, 32), print_fn=None)
    assert [(r[0], r[2][1:], r[3]) for r in info["rows"]] == [
        ("fc1", (1000,), 3_073_000), ("fc2", (512,), 512_512), ("fc3", (10,), 5_130)]
    x = np.random.default_rng(0).standard_normal((2, 3, 32, 32)).astype(np.float32)
    ref = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(3072, 1000), torch.nn.Tanh(),
                              torch.nn.Linear(1000, 512), torch.nn.Tanh(), torch.nn.Linear(512, 10))
    _copy_into_torch(torch, m, ref, {"fc1": "1", "fc2": "3", "fc3": "5"})
    np.testing.assert_allclose(m(tl.from_numpy(x)).detach().numpy(),
                               ref(torch.from_numpy(x)).detach().numpy(), rtol=1e-4, atol=1e-5)


def _copy_into_torch(torch, ours, ref, rename):
    """Load our state dict into a torch module, mapping our module prefixes to the reference's."""
    sd = {}
    for k, v in ours.state_dict().items():
        prefix, leaf = k.rsplit(".", 1)
        sd[f"{rename[prefix]}.{leaf}"] = torch.from_numpy(v.numpy().copy())
    ref.load_state_dict(sd)
    ref.eval()
    ours.eval()


# Output sizes: MATLAB's pools round down, (n - 3) // 2 + 1; fc1 takes the lecture's 576 inputs.
MATLAB_SHAPES = [("conv1", (32, 32, 32)), ("pool1", (32, 15, 15)), ("conv2", (32, 15, 15)),
                 ("pool2", (32, 7, 7)), ("conv3", (64, 7, 7)), ("pool3", (64, 3, 3)),
                 ("fc1", (64,)), ("fc2", (10,))]


@pytest.mark.parametrize("batch_norm", [False, True])
def test_matlab_cnn_counts_shapes_and_layer_order(torch, batch_norm):
    m = tl.models.matlab_cnn(batch_norm=batch_norm)
    learnable = (conv_params(3, 32, 5) + conv_params(32, 32, 5) + conv_params(32, 64, 5)
                 + fc_params(576, 64) + fc_params(64, 10))
    assert learnable == 116_906
    assert m.fc1.in_features == 576                        # the lecture's fc1.Weights: [64 576]
    info = m.summary((1, 3, 32, 32), print_fn=None)
    bn = 2 * (32 + 32 + 64) if batch_norm else 0
    assert (info["trainable_params"], info["non_trainable_params"]) == (learnable + bn, bn)
    assert info["trainable_params"] == (117_162 if batch_norm else 116_906)
    rows = {r[0]: r[2][1:] for r in info["rows"]}
    assert [(n, rows[n]) for n, _ in MATLAB_SHAPES] == MATLAB_SHAPES
    expected_order = ["conv1", "bn1", "pool1", "conv2", "bn2", "pool2", "conv3", "bn3", "pool3", "fc1", "fc2"]
    assert [r[0] for r in info["rows"]] == [n for n in expected_order if batch_norm or not n.startswith("bn")]
    # The lecture's layer order, in torch: conv [BN] maxpool ReLU | conv [BN] ReLU avgpool | conv [BN] ReLU avgpool.
    T = torch.nn
    bns = [T.BatchNorm2d(c) if batch_norm else T.Identity() for c in (32, 32, 64)]
    ref = T.Sequential(T.Conv2d(3, 32, 5, padding=2), bns[0], T.MaxPool2d(3, 2), T.ReLU(),
                       T.Conv2d(32, 32, 5, padding=2), bns[1], T.ReLU(), T.AvgPool2d(3, 2),
                       T.Conv2d(32, 64, 5, padding=2), bns[2], T.ReLU(), T.AvgPool2d(3, 2),
                       T.Flatten(), T.Linear(576, 64), T.ReLU(), T.Linear(64, 10))
    names = {"conv1": "0", "bn1": "1", "conv2": "4", "bn2": "5", "conv3": "8", "bn3": "9", "fc1": "13", "fc2": "15"}
    if batch_norm:                                                  # eval uses running stats
        m.bn1.running_mean.copy_(tl.randn(32))
    _copy_into_torch(torch, m, ref, names)
    x = np.random.default_rng(0).standard_normal((2, 3, 32, 32)).astype(np.float32)
    np.testing.assert_allclose(m(tl.from_numpy(x)).detach().numpy(), ref(torch.from_numpy(x)).detach().numpy(),
                               rtol=1e-4, atol=1e-5)


def test_matlab_cnn_trains_one_step_in_both_variants():
    for bn in (False, True):
        logits = forward_backward(tl.models.matlab_cnn(batch_norm=bn), (3, 32, 32), batch=4)
        assert tuple(logits.shape) == (4, 10)


# ---------------------------------------------------------------- Keras CNNs (summary tables)
def _keras_rows(info):
    return [(name, shape[1:], n) for name, _, shape, n in info["rows"]]


def test_keras_mnist_simple_cnn_matches_its_summary():
    info = get_model("keras_mnist_simple").summary((1, 1, 28, 28), print_fn=None)
    assert _keras_rows(info) == [("conv2d", (8, 26, 26), 80), ("max_pooling2d", (8, 13, 13), 0),
                                 ("flatten", (1352,), 0), ("dense", (10,), 13_530)]
    assert info["total_params"] == info["trainable_params"] == 13_610


def test_keras_mnist_cnn_matches_the_lecture_summary_table():
    lines = []
    info = get_model("keras_mnist_cnn").summary((1, 1, 28, 28), print_fn=lines.append)
    # The lecture's table, channels moved first: (None, 28, 28, 40) -> (40, 28, 28).
    assert _keras_rows(info) == [
        ("conv1_1", (40, 28, 28), 1040), ("max_pooling2d_1", (40, 14, 14), 0), ("dropout_1", (40, 14, 14), 0),
        ("conv1_2", (32, 12, 12), 11552), ("max_pooling2d_2", (32, 6, 6), 0), ("dropout_2", (32, 6, 6), 0),
        ("flatten_1", (1152,), 0), ("dense_1", (64,), 73792), ("batch_normalization_1", (64,), 128),
        ("dropout_3", (64,), 0), ("dense_2", (10,), 650)]
    assert (info["total_params"], info["trainable_params"], info["non_trainable_params"]) == (87_290, 87_162, 128)
    assert "Total params: 87,290" in lines[0]


def test_keras_mnist_cnn_applies_relu_before_batchnorm(torch):
    m = get_model("keras_mnist_cnn")
    T = torch.nn
    ref = T.Sequential(T.Conv2d(1, 40, 5, padding=2), T.ReLU(), T.MaxPool2d(2), T.Conv2d(40, 32, 3), T.ReLU(),
                       T.MaxPool2d(2), T.Flatten(), T.Linear(1152, 64), T.ReLU(), T.BatchNorm1d(64, eps=1e-3),
                       T.Linear(64, 10))
    with tl.no_grad():
        m.batch_normalization_1.running_mean.copy_(tl.randn(64))
        m.batch_normalization_1.weight.copy_(tl.rand(64) + 0.5)
    _copy_into_torch(torch, m, ref, {"conv1_1": "0", "conv1_2": "3", "dense_1": "7", "batch_normalization_1": "9",
                              "dense_2": "10"})
    x = np.random.default_rng(0).standard_normal((3, 1, 28, 28)).astype(np.float32)
    np.testing.assert_allclose(m(tl.from_numpy(x)).detach().numpy(), ref(torch.from_numpy(x)).detach().numpy(),
                               rtol=1e-4, atol=1e-4)
    assert m.batch_normalization_1.momentum == 0.01 and m.batch_normalization_1.eps == 1e-3


def test_fashion_mnist_cnn_matches_its_summary():
    info = get_model("fashion_mnist_cnn").summary((1, 1, 28, 28), print_fn=None)
    assert _keras_rows(info) == [
        ("conv2d", (64, 28, 28), conv_params(1, 64, 7)), ("max_pooling2d", (64, 14, 14), 0),
        ("conv2d_1", (128, 14, 14), 73_856), ("conv2d_2", (128, 14, 14), 147_584),
        ("max_pooling2d_1", (128, 7, 7), 0), ("conv2d_3", (256, 7, 7), 295_168),
        ("conv2d_4", (256, 7, 7), 590_080), ("max_pooling2d_2", (256, 3, 3), 0), ("flatten", (2304,), 0),
        ("dense", (128,), 295_040), ("dropout", (128,), 0), ("dense_1", (64,), 8_256), ("dropout_1", (64,), 0),
        ("dense_2", (10,), 650)]
    assert info["total_params"] == info["trainable_params"] == 1_413_834


def test_keras_cnns_train_one_step():
    for name in ("keras_mnist_simple", "keras_mnist_cnn", "fashion_mnist_cnn"):
        assert tuple(forward_backward(get_model(name), (1, 28, 28), batch=2).shape) == (2, 10)


# ---------------------------------------------------------------- AlexNet and ZFNet
# The lecture's AlexNet table (227x227 input): (layer type, output shape).
ALEXNET_TABLE = [("Conv2d", (96, 55, 55)), ("MaxPool2d", (96, 27, 27)), ("Conv2d", (256, 27, 27)),
                 ("MaxPool2d", (256, 13, 13)), ("Conv2d", (384, 13, 13)), ("Conv2d", (384, 13, 13)),
                 ("Conv2d", (256, 13, 13)), ("MaxPool2d", (256, 6, 6)), ("Linear", (4096,)),
                 ("Linear", (4096,)), ("Linear", (1000,))]
ALEXNET_FC = fc_params(9216, 4096) + fc_params(4096, 4096) + fc_params(4096, 1000)


def test_alexnet_lecture_table_count_shapes_lrn_and_training_step():
    m = tl.models.alexnet()
    assert n_params(m) == (conv_params(3, 96, 11) + conv_params(96, 256, 5) + conv_params(256, 384, 3)
                           + conv_params(384, 384, 3) + conv_params(384, 256, 3) + ALEXNET_FC) == 62_378_344
    info = m.summary((1, 3, 227, 227), print_fn=None)
    assert table_rows(info) == ALEXNET_TABLE
    kinds = [r[1] for r in info["rows"] if r[1] in ("Conv2d", "LocalResponseNorm")]
    assert kinds[:4] == ["Conv2d", "LocalResponseNorm", "Conv2d", "LocalResponseNorm"]
    assert kinds.count("LocalResponseNorm") == 2
    assert tuple(forward_backward(m, (3, 227, 227)).shape) == (1, 1000)


def test_alexnet_original_two_gpu_variant_has_60m_parameters():
    m = tl.models.alexnet(variant="original")
    assert n_params(m) == (conv_params(3, 96, 11) + conv_params(96, 256, 5, 2) + conv_params(256, 384, 3)
                           + conv_params(384, 384, 3, 2) + conv_params(384, 256, 3, 2) + ALEXNET_FC) == 60_965_224
    assert table_rows(m.summary((1, 3, 227, 227), print_fn=None)) == ALEXNET_TABLE


def test_alexnet_torchvision_variant_keys_count_and_shapes():
    m = tl.models.alexnet(variant="torchvision")
    assert n_params(m) == 61_100_840
    shapes = {k: tuple(v.shape) for k, v in m.state_dict().items()}
    assert shapes == {"features.0.weight": (64, 3, 11, 11), "features.0.bias": (64,),
                      "features.3.weight": (192, 64, 5, 5), "features.3.bias": (192,),
                      "features.6.weight": (384, 192, 3, 3), "features.6.bias": (384,),
                      "features.8.weight": (256, 384, 3, 3), "features.8.bias": (256,),
                      "features.10.weight": (256, 256, 3, 3), "features.10.bias": (256,),
                      "classifier.1.weight": (4096, 9216), "classifier.1.bias": (4096,),
                      "classifier.4.weight": (4096, 4096), "classifier.4.bias": (4096,),
                      "classifier.6.weight": (1000, 4096), "classifier.6.bias": (1000,)}
    # The lecture's first AlexNet slide is this network; its "64 x 56 x 56" first output is a slide
    # slip: 11x11 / 4 with pad 2 on 224 gives 55 (which the next row's 27 also needs).
    assert table_rows(m.summary((1, 3, 224, 224), print_fn=None), ("Conv2d", "MaxPool2d"))[:2] == [
        ("Conv2d", (64, 55, 55)), ("MaxPool2d", (64, 27, 27))]
    with pytest.raises(ValueError, match="AlexNet: variant.*'caffe'"):
        tl.models.alexnet(variant="caffe")


def test_zfnet_table_count_shapes_and_training_step():
    m = get_model("zfnet")
    assert n_params(m) == (conv_params(3, 96, 7) + conv_params(96, 256, 5) + conv_params(256, 384, 3)
                           + conv_params(384, 384, 3) + conv_params(384, 256, 3) + ALEXNET_FC) == 62_357_608
    assert table_rows(m.summary((1, 3, 224, 224), print_fn=None)) == [
        ("Conv2d", (96, 110, 110)), ("MaxPool2d", (96, 55, 55)), ("Conv2d", (256, 26, 26)),
        ("MaxPool2d", (256, 13, 13)), ("Conv2d", (384, 13, 13)), ("Conv2d", (384, 13, 13)),
        ("Conv2d", (256, 13, 13)), ("MaxPool2d", (256, 6, 6)), ("Linear", (4096,)), ("Linear", (4096,)),
        ("Linear", (1000,))]
    assert tuple(forward_backward(m, (3, 224, 224)).shape) == (1, 1000)


# ---------------------------------------------------------------- VGG
def vgg_table(convs_per_stage):
    """The lecture's VGG tables: conv rows at 64/128/256/512/512 channels, a 2x2 pool after each stage."""
    rows, side = [], 224
    for ch, n in zip((64, 128, 256, 512, 512), convs_per_stage):
        rows += [("Conv2d", (ch, side, side))] * n
        side //= 2
        rows.append(("MaxPool2d", (ch, side, side)))
    return rows + [("Linear", (4096,)), ("Linear", (4096,)), ("Linear", (1000,))]


def vgg_count(convs_per_stage):
    total, cin = 0, 3
    for ch, n in zip((64, 128, 256, 512, 512), convs_per_stage):
        for _ in range(n):
            total, cin = total + conv_params(cin, ch, 3), ch
    return total + fc_params(25088, 4096) + fc_params(4096, 4096) + fc_params(4096, 1000)


@pytest.mark.parametrize("name, stages, count", [("vgg16", (2, 2, 3, 3, 3), 138_357_544),
                                                 ("vgg19", (2, 2, 4, 4, 4), 143_667_240)])
def test_vgg_table_count_keys_shapes_and_training_step(name, stages, count):
    m = get_model(name)
    assert n_params(m) == vgg_count(stages) == count
    convs = [i for i, layer in enumerate(m.features) if isinstance(layer, nn.Conv2d)]
    keys = [k for k in m.state_dict()]
    assert keys == [f"features.{i}.{p}" for i in convs for p in ("weight", "bias")] + \
        [f"classifier.{i}.{p}" for i in (0, 3, 6) for p in ("weight", "bias")]
    assert table_rows(m.summary((1, 3, 224, 224), print_fn=None)) == vgg_table(stages)
    assert tuple(forward_backward(m, (3, 224, 224)).shape) == (1, 1000)


def test_vgg_batchnorm_variants_counts():
    assert n_params(get_model("vgg16_bn")) == 138_357_544 + 2 * (2 * 64 + 2 * 128 + 3 * 256 + 6 * 512) == 138_365_992
    assert n_params(get_model("vgg19_bn", num_classes=10)) == \
        143_678_248 - fc_params(4096, 1000) + fc_params(4096, 10)


# ---------------------------------------------------------------- GoogLeNet
def test_googlenet_count_stem_table_inception_shapes_and_keys():
    m = get_model("googlenet")
    assert n_params(m) == 6_624_904
    stem = ["conv1", "maxpool1", "conv2", "conv3", "maxpool2"]
    assert output_shapes(m, stem, (3, 224, 224)) == [(64, 112, 112), (64, 56, 56), (64, 56, 56), (192, 56, 56),
                                                    (192, 28, 28)]           # the lecture's table
    modules = ["inception3a", "inception3b", "inception4a", "inception4b", "inception4c", "inception4d",
               "inception4e", "inception5a", "inception5b"]
    # Szegedy et al. Table 1: channels are the four branches concatenated.
    assert output_shapes(m, modules, (3, 224, 224)) == [
        (256, 28, 28), (480, 28, 28), (512, 14, 14), (512, 14, 14), (512, 14, 14), (528, 14, 14),
        (832, 14, 14), (832, 7, 7), (1024, 7, 7)]
    sd = {k: tuple(v.shape) for k, v in m.state_dict().items()}
    assert sd["inception3a.branch2.0.conv.weight"] == (96, 192, 1, 1)        # 1x1 reduction
    assert sd["inception3a.branch2.1.conv.weight"] == (128, 96, 3, 3)
    assert sd["inception3a.branch3.1.conv.weight"] == (32, 16, 3, 3)
    assert sd["inception3a.branch4.1.bn.running_var"] == (32,)
    assert sd["fc.weight"] == (1000, 1024) and "inception3a.branch1.conv.bias" not in sd
    assert not any(k.startswith("aux") for k in sd)


def test_googlenet_aux_classifiers_count_outputs_and_training_step():
    m = tl.models.googlenet(aux_logits=True)
    assert n_params(m) == 13_004_888
    assert n_params(m.aux1) + n_params(m.aux2) == 13_004_888 - 6_624_904
    out = forward_backward(m, (3, 224, 224), batch=2)
    assert tuple(out.shape) == (2, 1000)
    train_out = m(tl.randn(2, 3, 224, 224))
    assert isinstance(train_out, tl.models.GoogLeNetOutputs)
    assert [tuple(o.shape) for o in train_out] == [(2, 1000)] * 3
    m.eval()
    with tl.no_grad():
        assert tuple(m(tl.randn(1, 3, 224, 224)).shape) == (1, 1000)


# ---------------------------------------------------------------- Xception
def test_xception_count_keras_totals_shapes_and_training_step():
    m = get_model("xception")
    assert n_params(m) == 22_855_952
    info = m.summary((1, 3, 299, 299), print_fn=None)
    # Keras' Xception summary: total 22,910,480 includes 54,528 BatchNorm moving statistics.
    assert (info["total_params"], info["non_trainable_params"]) == (22_910_480, 54_528)
    blocks = ["conv1", "conv2", "block1", "block2", "block3", "block4", "block11", "block12", "conv4"]
    assert output_shapes(m, blocks, (3, 299, 299)) == [
        (32, 149, 149), (64, 147, 147), (128, 74, 74), (256, 37, 37), (728, 19, 19), (728, 19, 19),
        (728, 19, 19), (1024, 10, 10), (2048, 10, 10)]
    sep = m.block4.rep[1]
    assert isinstance(sep, tl.models.SeparableConv2d)
    assert tuple(sep.conv1.weight.shape) == (728, 1, 3, 3) and sep.conv1.groups == 728    # depthwise
    assert tuple(sep.pointwise.weight.shape) == (728, 728, 1, 1) and sep.conv1.bias is None
    assert tuple(forward_backward(m, (3, 299, 299)).shape) == (1, 1000)


def test_xception_smaller_middle_flow_is_built_from_the_same_blocks():
    per_block = 3 * (728 * 9 + 728 * 728 + 2 * 728)
    for k in (0, 2):
        m = tl.models.xception(middle_blocks=k, num_classes=10)
        assert n_params(m) == 22_855_952 - (8 - k) * per_block - fc_params(2048, 1000) + fc_params(2048, 10)
        assert hasattr(m, f"block{k + 4}") and not hasattr(m, f"block{k + 5}")
    assert tuple(forward_backward(tl.models.xception(middle_blocks=1, num_classes=10), (3, 71, 71),
                                  batch=2).shape) == (2, 10)
    with pytest.raises(ValueError, match="Xception: middle_blocks.*-1"):
        tl.models.xception(middle_blocks=-1)


# ---------------------------------------------------------------- ResNet-18/34/50 (torchvision)
@pytest.mark.parametrize("name, count, blocks", [("resnet18", 11_689_512, (2, 2, 2, 2)),
                                                 ("resnet34", 21_797_672, (3, 4, 6, 3))])
def test_resnet_count_keys_stage_shapes_and_training_step(name, count, blocks):
    m = get_model(name)
    assert n_params(m) == count
    sd = {k: tuple(v.shape) for k, v in m.state_dict().items()}
    # torchvision: 5 entries per BatchNorm, 6 per conv+bn pair; three stages open with a downsample.
    assert len(sd) == 1 + 5 + 12 * sum(blocks) + 6 * 3 + 2
    assert sd["conv1.weight"] == (64, 3, 7, 7) and sd["bn1.running_mean"] == (64,)
    assert sd["layer1.0.conv1.weight"] == (64, 64, 3, 3) and "layer1.0.downsample.0.weight" not in sd
    assert sd["layer2.0.downsample.0.weight"] == (128, 64, 1, 1)
    assert sd["layer4.0.downsample.1.num_batches_tracked"] == ()
    assert sd[f"layer4.{blocks[3] - 1}.bn2.weight"] == (512,) and sd["fc.weight"] == (1000, 512)
    assert output_shapes(m, ["maxpool", "layer1", "layer2", "layer3", "layer4", "avgpool"], (3, 224, 224)) == [
        (64, 56, 56), (64, 56, 56), (128, 28, 28), (256, 14, 14), (512, 7, 7), (512, 1, 1)]
    assert tuple(forward_backward(m, (3, 224, 224), batch=2).shape) == (2, 1000)


def test_resnet50_count_and_small_input_step():
    m = get_model("resnet50", num_classes=10)
    assert n_params(m) == 25_557_032 - fc_params(2048, 1000) + fc_params(2048, 10)
    assert tuple(m.state_dict()["layer3.0.conv2.weight"].shape) == (256, 256, 3, 3)
    assert tuple(forward_backward(m, (3, 64, 64), batch=2).shape) == (2, 10)
