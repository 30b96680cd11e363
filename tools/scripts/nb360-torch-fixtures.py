#!/usr/bin/env python3
"""Reference outputs of NAS-Bench-360's own PyTorch networks, for the dense NB201 and Wide ResNet
builders of @nasx/tensor (libs/tensor/src/network/nb360-reference.spec.ts).

Run once, not by tests (needs torch and a checkout of rtu715/NAS-Bench-360 at 587bb09):
    /usr/bin/python3 tools/scripts/nb360-torch-fixtures.py <NAS-Bench-360 checkout>
Used here: Debian's python3-torch 1.13 and numpy. For each case it builds the upstream module with
seeded weights (torch.manual_seed), randomises the batch-norm affine parameters and running statistics
so they matter, and writes the state_dict (PyTorch layouts, float32, base64), an input batch, and the
module's output in eval mode and in train mode (batch statistics) to
libs/tensor/src/__fixtures__/nb360-torch.json.
"""
import base64, json, os, sys
import numpy as np
import torch

repo = sys.argv[1]
sys.path.insert(0, os.path.join(repo, 'precompute', 'darcyflow'))
sys.path.insert(0, os.path.join(repo, 'backbone'))
from xautodl.models.cell_infers.tiny_network import TinyNetwork  # noqa: E402
from xautodl.models.cell_searchs.genotypes import Structure  # noqa: E402
from backbone_grid_wrn import Backbone  # noqa: E402
from backbone_pt import Backbone_Pt  # noqa: E402


def b64(t):
    return base64.b64encode(np.ascontiguousarray(t.detach().numpy().astype('<f4')).tobytes()).decode()


def b64_half(t):
    return base64.b64encode(np.ascontiguousarray(t.detach().numpy().astype('<f2')).tobytes()).decode()


def halve(module):
    # Parameters and buffers rounded to float16-representable values (stored as float16, computed in
    # float32), so the fixture stays small and both sides use exactly the same weights.
    with torch.no_grad():
        for v in module.state_dict().values():
            if v.dtype == torch.float32:
                v.copy_(v.half().float())


def randomise_bn(m, g):
    for mod in m.modules():
        if isinstance(mod, torch.nn.BatchNorm2d):
            with torch.no_grad():
                mod.weight.copy_(torch.rand(mod.weight.shape, generator=g) + 0.5)
                mod.bias.copy_(torch.randn(mod.bias.shape, generator=g) * 0.1)
                mod.running_mean.copy_(torch.randn(mod.running_mean.shape, generator=g) * 0.1)
                mod.running_var.copy_(torch.rand(mod.running_var.shape, generator=g) + 0.5)


def case(name, module, x, unused=(), to_nchw=False):
    g = torch.Generator().manual_seed(7)
    randomise_bn(module, g)
    halve(module)
    state = {k: {'shape': list(v.shape), 'data': b64_half(v)} for k, v in module.state_dict().items() if not k.endswith('num_batches_tracked') and not any(k.startswith(u) for u in unused)}
    module.eval()
    with torch.no_grad():
        out = module(x)
        out = out[1] if isinstance(out, tuple) else out
        if to_nchw:
            out = out.permute(0, 3, 1, 2)
        eval_out = out.contiguous()
    module.train()
    with torch.no_grad():
        out = module(x)
        out = out[1] if isinstance(out, tuple) else out
        if to_nchw:
            out = out.permute(0, 3, 1, 2)
        train_out = out.contiguous()
    return {'name': name, 'inputShape': list(x.shape), 'input': b64(x), 'state': state, 'eval': b64(eval_out), 'train': b64(train_out), 'outputShape': list(eval_out.shape)}


torch.manual_seed(0)
x = torch.randn(2, 3, 8, 8)

# NB201, dense (darcyflow TinyNetwork): it takes NHWC input and returns (features, logits) channels-last.
cases = []
xh = x.permute(0, 2, 3, 1).contiguous()
for ops, s in [([3, 3, 3, 1, 3, 3], '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|'),
               ([4, 1, 0, 2, 4, 1], '|avg_pool_3x3~0|+|skip_connect~0|none~1|+|nor_conv_1x1~0|avg_pool_3x3~1|skip_connect~2|')]:
    torch.manual_seed(1)
    net = TinyNetwork(4, 1, Structure.str2structure(s), 2)
    c = case('nb201-dense ' + s, net, xh, to_nchw=True)
    c['input'] = b64(x)
    c['inputShape'] = list(x.shape)
    c['ops'] = ops
    c['macro'] = {'channels': 4, 'cellsPerStage': 1}
    c['numClasses'] = 2
    cases.append(c)

# Wide ResNet, dense (backbone_grid_wrn.Backbone: its in_layer (a BN and the shared conv1) and out_conv are not in forward).
torch.manual_seed(2)
wrn = Backbone(10, 2, 1, 3)
c = case('wrn-10-1 dense', wrn, x, unused=('in_layer.', 'out_conv'), to_nchw=True)
c['depth'], c['widen'], c['numClasses'] = 10, 1, 2
cases.append(c)
out = os.path.join(os.path.dirname(__file__), '..', '..', 'libs', 'tensor', 'src', '__fixtures__', 'nb360-torch.json')
with open(out, 'w') as f:
    json.dump({'source': 'rtu715/NAS-Bench-360 @587bb09, torch ' + torch.__version__, 'cases': cases}, f)
print('wrote', out, os.path.getsize(out), 'bytes')
