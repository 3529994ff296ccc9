"""The concept notes' program frame in five steps.

处理数据 → 构建网络 → 损失函数 → 优化函数 → 模型保存 (data → network → loss → optimizer → save).

Run: python examples/five_steps.py   (5 epochs: seconds on an idle CPU; ~98-99% test accuracy)
"""
import deepglass as dg
from deepglass import nn, optim
from deepglass.data import DataLoader, Digits
from deepglass.models.digits import digits_cnn
from deepglass.train import ModelCheckpoint, Trainer

dg.manual_seed(0)

# 1. 处理数据 data: the bundled 8x8 digits, shuffled mini-batches
train = DataLoader(Digits(train=True), batch_size=32, shuffle=True, generator=dg.Generator().manual_seed(0))
test = DataLoader(Digits(train=False), batch_size=256)

# 2. 构建网络 network: a small CNN (Conv-BN-ReLU x3, max-pool, linear)
model = digits_cnn(num_classes=10)

# 3. 损失函数 loss: cross-entropy for classification
loss_fn = nn.CrossEntropyLoss()

# 4. 优化函数 optimizer: Adam (try optim.SGD(..., momentum=0.9) — the notes' SGD → SGDM → ... → NAdam chain)
optimizer = optim.Adam(model.parameters(), lr=3e-3)
trainer = Trainer(model, loss_fn, optimizer, out_dir="runs/five_steps",  # history.csv, TensorBoard, checkpoints
                  callbacks=[ModelCheckpoint(monitor="val_accuracy")])
trainer.fit(train, test, epochs=5)  # prints one line per epoch and the diagnosis
print("test:", trainer.evaluate(test))

# 5. 模型保存 save: safetensors (no pickle); load it back into a fresh network
dg.save(model.state_dict(), "runs/five_steps/model.safetensors")
restored = digits_cnn()
restored.load_state_dict(dg.load("runs/five_steps/model.safetensors"))
