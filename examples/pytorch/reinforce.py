"""REINFORCE (PyTorch's reinforcement_learning example) on a tiny hand-written corridor environment."""
import argparse

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.distributions import Categorical


class Corridor:
    """Walk from cell 0 to cell n-1; action 1 moves right, 0 moves left; reward 1 at the end, -0.01 per step."""

    def __init__(self, n=5, max_steps=20):
        self.n, self.max_steps = n, max_steps

    def reset(self):
        self.pos, self.t = 0, 0
        return self.obs()

    def obs(self):
        o = np.zeros(self.n, dtype=np.float32)
        o[self.pos] = 1.0
        return o

    def step(self, action):
        self.pos = min(self.n - 1, self.pos + 1) if action == 1 else max(0, self.pos - 1)
        self.t += 1
        done = self.pos == self.n - 1 or self.t >= self.max_steps
        return self.obs(), (1.0 if self.pos == self.n - 1 else -0.01), done


class Policy(nn.Module):
    def __init__(self, n_obs, n_actions):
        super().__init__()
        self.affine1 = nn.Linear(n_obs, 32)
        self.affine2 = nn.Linear(32, n_actions)
        self.saved_log_probs, self.rewards = [], []

    def forward(self, x):
        return F.softmax(self.affine2(F.relu(self.affine1(x))), dim=1)


def main():
    parser = argparse.ArgumentParser(description="REINFORCE")
    parser.add_argument("--gamma", type=float, default=0.99)
    parser.add_argument("--seed", type=int, default=543)
    parser.add_argument("--episodes", type=int, default=10)
    parser.add_argument("--init", default=None)
    parser.add_argument("--save-init", default=None)
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    env = Corridor()
    policy = Policy(env.n, 2)
    if args.init:
        policy.load_state_dict(torch.load(args.init))
    if args.save_init:
        torch.save(policy.state_dict(), args.save_init)
    optimizer = optim.Adam(policy.parameters(), lr=1e-2)
    eps = np.finfo(np.float32).eps.item()

    with torch.no_grad():
        probs = policy(torch.eye(env.n))
        print(f"initial loss: {-Categorical(probs).entropy().mean().item():.6f}")

    for i_episode in range(1, args.episodes + 1):
        state, ep_reward = env.reset(), 0.0
        for _t in range(env.max_steps):
            probs = policy(torch.from_numpy(state).float().unsqueeze(0))
            m = Categorical(probs)
            action = m.sample()
            policy.saved_log_probs.append(m.log_prob(action))
            state, reward, done = env.step(action.item())
            policy.rewards.append(reward)
            ep_reward += reward
            if done:
                break
        R, returns = 0.0, []
        for r in policy.rewards[::-1]:
            R = r + args.gamma * R
            returns.insert(0, R)
        returns = torch.tensor(returns)
        returns = (returns - returns.mean()) / (returns.std() + eps) if len(returns) > 1 else returns
        policy_loss = torch.cat([-log_prob * R for log_prob, R in zip(policy.saved_log_probs, returns)]).sum()
        optimizer.zero_grad()
        policy_loss.backward()
        optimizer.step()
        del policy.rewards[:]
        del policy.saved_log_probs[:]
        print(f"Episode {i_episode}\treward {ep_reward:.2f}\tloss {policy_loss.item():.4f}")


if __name__ == "__main__":
    main()
