"""Reading submissions: only definitions are kept; broken cells cost only themselves."""

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from gradelab.grading.submission import SubmissionError, load_submission


def write_notebook(path, *sources):
    cells = [new_markdown_cell("# title")] + [new_code_cell(source) for source in sources]
    nbformat.write(new_notebook(cells=cells), path)
    return path


def test_notebook_keeps_imports_definitions_and_constants_only(tmp_path):
    path = write_notebook(tmp_path / "a.ipynb",
                          "import numpy as np\n%matplotlib inline\n!pip install x\nlayers_dims = [2, 10, 5, 1]\nX = np.random.randn(3)",
                          "def f(x):\n    return x + 1\nprint(f(1))\nwhile True:\n    pass",
                          "%%bash\necho hi",
                          "@staticmethod\ndef g():\n    return 2\nclass C:\n    pass")
    submission = load_submission(path)
    source = submission.source
    assert "import numpy as np" in source and "layers_dims = [2, 10, 5, 1]" in source
    assert "def f(x)" in source and "@staticmethod" in source and "class C" in source
    for left_out in ("pip", "matplotlib", "np.random", "print(", "while True", "echo"):
        assert left_out not in source
    assert submission.skipped == 3 and not submission.problems
    # Cells are counted as a notebook user counts them: code cells only, named by the functions they define.
    assert [origin for origin, _ in submission.definitions][:3] == ["code cell 1, line 1", "code cell 1, line 4",
                                                                      "code cell 2 (f), line 1"]


def test_syntax_error_is_reported_with_cell_and_line_and_other_cells_survive(tmp_path):
    path = write_notebook(tmp_path / "b.ipynb", "def good():\n    return 1", "def bad(:\n    pass", "def later():\n    return 2")
    submission = load_submission(path)
    assert submission.problems == ["code cell 2, line 1: syntax error: invalid syntax; the definitions in this cell were not graded"]
    assert "def good" in submission.source and "def later" in submission.source


def test_python_file_with_a_syntax_error_keeps_its_other_definitions(tmp_path):
    path = tmp_path / "c.py"
    path.write_text("import numpy as np\n\ndef ok():\n    return 1\n\ndef broken(\n    return 2\n\ndef fine():\n    return 3\n")
    submission = load_submission(path)
    assert len(submission.problems) == 1 and "line 6" in submission.problems[0]
    assert "def ok" in submission.source and "def fine" in submission.source and "broken" not in submission.source


@pytest.mark.parametrize("name, content, message", [
    ("x.txt", "hello", "must be a .py file or a .ipynb notebook"),
    ("x.ipynb", "{not json", "not valid notebook JSON"),
    ("x.py", b"\xff\xfe\x00bad", "not UTF-8"),
])
def test_unreadable_submissions_raise_clear_errors(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(SubmissionError, match=message):
        load_submission(path)


def test_missing_file_is_named(tmp_path):
    with pytest.raises(SubmissionError, match="nothing.py does not exist"):
        load_submission(tmp_path / "nothing.py")


def test_code_nested_too_deeply_for_python_is_reported_not_a_crash_of_the_reader(tmp_path):
    path = tmp_path / "deep.py"
    path.write_text("import numpy as np\nX = " + "+".join(["1"] * 6000) + "\n\ndef f():\n    return 1\n")
    submission = load_submission(path)
    assert [origin for origin, _ in submission.definitions] == ["file, line 4"]
    assert any("nested too deeply" in problem for problem in submission.problems)


@pytest.mark.parametrize("statement", [
    "HE_GAIN = np.sqrt(2.0)", "relu2 = lambda z: np.maximum(0, z)", "ACTS = {'relu': lambda z: np.maximum(0, z), 'id': abs}",
    "a, b = 1, np.pi", "SIZES = [n * 2 for n in range(3)]", "x: float = math.sqrt(2)", "EPS = float(1e-8)",
    "W = xp.ones((2, 2))", "G = sqrt(2.0)",
])
def test_constants_computed_with_numpy_math_builtins_and_lambdas_are_kept(tmp_path, statement):
    path = tmp_path / "k.py"
    path.write_text(f"import math\nimport numpy as np\nimport numpy as xp\nfrom numpy import sqrt\n{statement}\n")
    submission = load_submission(path)
    assert statement in submission.source and not submission.unrun


@pytest.mark.parametrize(("statement", "why"), [
    ("parameters = L_layer_model(X, Y)", "it calls L_layer_model"),
    ("X = np.random.randn(3, 4)", "draws random numbers"),
    ("data = np.load('train.npz')", "reads or writes files"),
    ("fig = plt.figure()", "it calls plt.figure"),
    ("x = randn(3)", "it calls randn"),
    ("costs = [train(n) for n in range(3)]", "it calls train"),
])
def test_experiments_are_left_out_and_remembered_with_where_and_why(tmp_path, statement, why):
    path = write_notebook(tmp_path / "e.ipynb", "import numpy as np\nfrom numpy.random import randn",
                          f"def g():\n    return 1\n{statement}")
    submission = load_submission(path)
    name = statement.split("=")[0].strip()
    assert statement not in submission.source
    assert submission.unrun[name].startswith(f"{name} is assigned in code cell 2 (g), line 3, by a statement the checker does not run")
    assert why in submission.unrun[name]


def test_a_later_kept_assignment_clears_what_an_experiment_left_undefined(tmp_path):
    path = tmp_path / "l.py"
    path.write_text("import numpy as np\nGAIN = compute()\nGAIN = np.sqrt(2.0)\n")
    assert "GAIN" not in load_submission(path).unrun


def test_a_constant_computed_from_a_left_out_value_is_left_out_too_and_says_why(tmp_path):
    path = write_notebook(tmp_path / "d.ipynb", "import numpy as np\ntrain_X = load_data()\nm_train = train_X.shape[0]")
    submission = load_submission(path)
    assert "m_train" not in submission.source
    assert "it uses train_X, which a statement the checker does not run assigns" in submission.unrun["m_train"]


def test_a_function_defined_later_is_no_longer_reported_as_left_out(tmp_path):
    path = tmp_path / "f.py"
    path.write_text("import numpy as np\nrelu2 = make_relu()\ndef relu2(z):\n    return np.maximum(0, z)\n")
    assert "relu2" not in load_submission(path).unrun


def test_the_bundles_check_cells_are_not_graded(tmp_path):
    notebook = new_notebook(cells=[new_code_cell("import numpy as np\nfrom tests import check\nimport tests.checker"),
                                   new_code_cell("def f():\n    return 1"), new_code_cell('check("TestF")')])
    path = tmp_path / "work.ipynb"
    nbformat.write(notebook, path)
    submission = load_submission(path)
    kept = "\n".join(code for _, code in submission.definitions)
    assert "import numpy as np" in kept and "def f" in kept and "tests" not in kept
