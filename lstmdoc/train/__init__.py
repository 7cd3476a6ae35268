"""Training: the seed article's run, general SGD training, and text generation.

- :func:`article` — the article's 200 iterations (its model, learning rate
  and window rules); its worked example is iteration 0;
- :func:`fit` — any windows, ``H``, batch size, float32 or float64, seeded;
  :func:`fit_text` — the same from a text;
- :func:`~lstmdoc.train.stream.tbptt` — truncated BPTT over a long text (B streams, chunks of T
  steps, every step predicts, the state carried on): :mod:`lstmdoc.train.stream`;
- :func:`generate` — continue a prompt, greedy or sampled (temperature, top-k);
- the pieces they share: :func:`tokenize`, :func:`make_windows`,
  :func:`one_hot`, :func:`train` (the loop) and :func:`sgd_step` (the update);
- optimizers, torch.optim's updates: :class:`~lstmdoc.train.optim.SGD` (plain or
  with momentum) and :class:`~lstmdoc.train.optim.Adam`, and :func:`clip_grad_norm`,
  torch's global-norm clip;
- :func:`belling_the_cat` — the shipped corpus, the fable the article's words
  come from, and :func:`fable_run`, a model learning it;
  :func:`~lstmdoc.train.text.pride_and_prejudice`, a longer text, and
  :func:`~lstmdoc.train.text.tokenize_chars`.

Import it as ``import lstmdoc.train`` (``import lstmdoc`` does not load it).
"""

from .clip import clip_grad_norm
from .optim import SGD, Adam
from .article import article, article_offsets, article_windows
from .data import Corpus, Windows, belling_the_cat, make_windows, one_hot, tokenize
from .fable import FABLE, FableSettings, fable_run
from .fit import fit, fit_text, init_params, sample_windows
from .generate import generate
from .loop import TrainingDiverged, TrainRun, sgd_step, train
from .stream import Streams, evaluate, make_streams, split, tbptt
from .text import pride_and_prejudice, tokenize_chars

__all__ = ["Adam", "SGD", "clip_grad_norm", "article", "article_offsets", "article_windows", "Corpus", "Windows", "belling_the_cat",
           "make_windows", "one_hot", "tokenize", "FABLE", "FableSettings", "fable_run", "fit",
           "fit_text", "init_params", "sample_windows",
           "generate", "TrainingDiverged", "TrainRun", "sgd_step", "train", "Streams", "evaluate",
           "make_streams", "split", "tbptt", "pride_and_prejudice", "tokenize_chars"]
