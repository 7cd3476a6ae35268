"""Training: the seed article's run, general SGD training, and text generation.

- :func:`article` — the article's 200 iterations as its scripts ran them (its
  model, learning rate and window schedule); its worked example is iteration 0;
- :func:`fit` — any windows, ``H``, batch size, float32 or float64, seeded;
  :func:`fit_text` — the same from a text;
- :func:`~lstmdoc.train.stream.tbptt` — truncated BPTT over a long text (B streams, chunks of T
  steps, every step predicts, the state carried on): :mod:`lstmdoc.train.stream`;
- :func:`generate` — continue a prompt, greedy or sampled (temperature, top-k);
- :func:`mean_loss` — a model's mean loss over a text's windows, to compare
  before and after training (:func:`evenly_spaced` picks some of a long text's);
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
from .article_run import article, article_offsets, article_windows
from .data import Corpus, Windows, belling_the_cat, make_windows, one_hot, tokenize
from .evaluation import evenly_spaced, mean_loss
from .fable import FABLE, FableSettings, fable_run
from .fitting import fit, fit_text, init_params, sample_windows
from .generation import generate
from .loop import TrainingDiverged, TrainRun, sgd_step, train
from .stream import Streams, evaluate, make_streams, split, tbptt
from .text import pride_and_prejudice, tokenize_chars

__all__ = ["Adam", "SGD", "clip_grad_norm", "article", "article_offsets", "article_windows",
           "Corpus", "Windows", "belling_the_cat", "make_windows", "one_hot", "tokenize",
           "mean_loss", "evenly_spaced", "FABLE", "FableSettings", "fable_run", "fit", "fit_text",
           "init_params", "sample_windows", "generate", "TrainingDiverged", "TrainRun", "sgd_step",
           "train", "Streams", "evaluate", "make_streams", "split", "tbptt", "pride_and_prejudice",
           "tokenize_chars"]
