"""Short whole seeded training programs, run on torch and on ember: every printed line must be
the same (losses to 4 decimals, sampled tokens, hook order, shapes, dtypes, grad_fn names)."""
import contextlib
import io

import pytest
import torch

import ember


def char_rnn(T):
    nn = T.nn
    T.manual_seed(47)
    data = T.tensor([ord(c) - 97 for c in 'abcabcabdabcabdabcabcabd' * 2])
    emb, cell, head = nn.Embedding(4, 6), nn.RNNCell(6, 12), nn.Linear(12, 4)
    params = [*emb.parameters(), *cell.parameters(), *head.parameters()]
    order = []
    for name, p in zip(['emb', 'w_ih', 'w_hh', 'b_ih', 'b_hh', 'hw', 'hb'], params):
        p.register_post_accumulate_grad_hook(lambda p, name=name: order.append(name))
    opt = T.optim.Adagrad(params, lr=0.1, initial_accumulator_value=0.1)
    for it in range(12):
        start = T.randint(0, len(data) - 7, (4,))
        h, loss = T.zeros(4, 12), 0
        for t in range(6):
            h = cell(emb(data[start + t]), h)
            loss = loss + nn.functional.cross_entropy(head(h), data[start + t + 1])
        opt.zero_grad()
        (loss / 6).backward()
        opt.step()
        print(f'{it} {(loss / 6).item():.4f} {cell.weight_hh.grad.norm().item():.4f}')
    print(order[:7], loss.grad_fn.name())
    with T.no_grad():
        h, x, s = T.zeros(1, 12), T.tensor([0]), 'a'
        for _ in range(12):
            h = cell(emb(x), h)
            x = T.multinomial(T.softmax(head(h), -1), 1)[0]
            s += chr(97 + x.item())
    print(s)


def mlp_resume(T):
    nn, data = T.nn, T.utils.data
    T.manual_seed(18)
    X = T.randn(96, 5)
    y = (X[:, 0] * X[:, 1] > 0).long()
    dl = data.DataLoader(data.TensorDataset(X, y), batch_size=16, shuffle=True)

    def build():
        m = nn.Sequential(nn.Linear(5, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Dropout(0.2), nn.Linear(16, 2))
        o = T.optim.SGD(m.parameters(), lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-4)
        return m, o, T.optim.lr_scheduler.StepLR(o, 2, 0.5)

    def train(m, o, s, epochs):
        for ep in epochs:
            m.train()
            for xb, yb in dl:
                loss = nn.functional.cross_entropy(m(xb), yb)
                o.zero_grad()
                loss.backward()
                nn.utils.clip_grad_norm_(m.parameters(), 1.0)
                o.step()
            s.step()
            m.eval()
            with T.no_grad():
                acc = (m(X).argmax(1) == y).float().mean().item()
            print(f'ep {ep} {loss.item():.4f} acc {acc:.4f} lr {s.get_last_lr()[0]:.4f}')
        return [p.detach().clone() for p in m.parameters()]

    m, o, s = build()
    train(m, o, s, range(3))
    buf = io.BytesIO()
    T.save({'m': m.state_dict(), 'o': o.state_dict(), 's': s.state_dict(), 'rng': T.get_rng_state()}, buf)
    final = train(m, o, s, range(3, 6))
    T.manual_seed(999)
    m2, o2, s2 = build()
    buf.seek(0)
    ck = T.load(buf)
    m2.load_state_dict(ck['m'])
    o2.load_state_dict(ck['o'])
    s2.load_state_dict(ck['s'])
    T.set_rng_state(ck['rng'])
    again = train(m2, o2, s2, range(3, 6))
    print(all(T.equal(a, b) for a, b in zip(final, again)), m2[1].num_batches_tracked)


def vae_gan(T):
    nn, F = T.nn, T.nn.functional
    T.manual_seed(10)
    X = (T.rand(120, 8) > 0.5).float()
    enc, dec = nn.Linear(8, 2 * 3), nn.Sequential(nn.Linear(3, 16), nn.Tanh(), nn.Linear(16, 8))
    D = nn.Sequential(nn.Linear(8, 16), nn.LeakyReLU(0.2), nn.Linear(16, 1))
    oV = T.optim.Adam([*enc.parameters(), *dec.parameters()], lr=1e-2)
    oD = T.optim.AdamW(D.parameters(), lr=2e-3, betas=(0.5, 0.999))
    for ep in range(6):
        perm = T.randperm(120)
        for i in range(0, 120, 40):
            xb = X[perm[i:i + 40]]
            mu, lv = enc(xb).chunk(2, 1)
            z = mu + T.randn_like(mu) * (0.5 * lv).exp()
            logits = dec(z)
            fake = T.sigmoid(logits)
            d_loss = F.binary_cross_entropy_with_logits(D(xb), T.ones(40, 1)) + \
                F.binary_cross_entropy_with_logits(D(fake.detach()), T.zeros(40, 1))
            oD.zero_grad()
            d_loss.backward()
            oD.step()
            rec = F.binary_cross_entropy_with_logits(logits, xb, reduction='sum') / 40
            kld = -0.5 * (1 + lv - mu.pow(2) - lv.exp()).sum() / 40
            adv = F.binary_cross_entropy_with_logits(D(fake), T.ones(40, 1))
            loss = rec + kld + 0.1 * adv
            oV.zero_grad()
            loss.backward()
            oV.step()
        print(f'ep {ep} rec {rec.item():.4f} kld {kld.item():.4f} D {d_loss.item():.4f}')
    print(z.grad_fn.name(), fake.grad_fn.name(), fake.detach().requires_grad)
    with T.no_grad():
        print(T.bernoulli(T.sigmoid(dec(T.randn(2, 3)))))


def reinforce(T):
    nn = T.nn
    T.manual_seed(20)
    policy = nn.Sequential(nn.Linear(4, 16), nn.Tanh(), nn.Linear(16, 3))
    opt = T.optim.RMSprop(policy.parameters(), lr=0.01, momentum=0.5, centered=True)
    sched = T.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.05, total_steps=30)
    baseline = 0.0
    for ep in range(30):
        s = T.randint(0, 4, (16,))
        dist = T.distributions.Categorical(logits=policy(nn.functional.one_hot(s, 4).float()))
        a = dist.sample()
        r = (a == s % 3).float()
        baseline = 0.9 * baseline + 0.1 * r.mean().item()
        loss = -(dist.log_prob(a) * (r - baseline)).mean() - 0.01 * dist.entropy().mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if ep % 5 == 0:
            print(f'ep {ep} reward {r.mean().item():.4f} loss {loss.item():.4f} lr {sched.get_last_lr()[0]:.5f}')
    with T.no_grad():
        d = T.distributions.Categorical(logits=policy(T.eye(4)))
        print(d.probs.round(decimals=3), d.sample((3,)))


def _output(T, prog):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        prog(T)
    return out.getvalue().replace('torch', 'ember')


@pytest.mark.parametrize('prog', [char_rnn, mlp_resume, vae_gan, reinforce], ids=lambda p: p.__name__)
def test_program_prints_as_torch(prog):
    expected = _output(torch, prog)
    assert _output(ember, prog) == expected
