// The JavaScript face of the engine: every Embind line of the project is in this file.
//
// The module is built without C++ exceptions, so nothing here throws: a call that can fail returns its
// error as a string field ("" when it worked), and web/engine.js turns that into a JavaScript Error.
// Arrays cross as copies, never as views into the heap, which growing memory would invalidate.
#include <emscripten/bind.h>
#include <emscripten/val.h>
#include <malloc.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "book/dataset.hpp"
#include "book/model.hpp"
#include "book/params_text.hpp"
#include "book/pixel_similarity.hpp"
#include "book/training.hpp"
#include "data/bytes.hpp"
#include "data/digit_image.hpp"
#include "data/mnist_sample.hpp"

namespace mnist_sgd {
namespace {

using emscripten::val;

val to_float32_array(const float* data, std::size_t size) {
  return val(emscripten::typed_memory_view(size, data)).call<val>("slice");
}

std::vector<float> from_float32_array(const val& array) {
  return emscripten::convertJSArrayToNumberVector<float>(array);
}

struct EpochResult {
  int epoch = 0;
  float trainLoss = 0.0f;
  double ms = 0.0;
  std::string error;
};

struct BatchResult {
  int epoch = 0;
  int batch = 0;
  int batchesPerEpoch = 0;
  float loss = 0.0f;
  std::string error;
};

struct ValidationResult {
  float validateEpoch = 0.0f;
  float accuracy = 0.0f;
  int correct = 0;
  int count = 0;
};

struct ConfusionResult {
  int threesAsThree = 0, threesAsSeven = 0, sevensAsThree = 0, sevensAsSeven = 0;
  val misclassified = val::null();  // Int32Array of validation indices
};

// The chapter's pixel-similarity baseline on the validation set: accuracy on the 3s, on the 7s, and their mean.
struct BaselineResult {
  float threes = 0.0f, sevens = 0.0f, mean = 0.0f;
};

struct SampleCounts {
  int train3 = 0, train7 = 0, valid3 = 0, valid7 = 0;
};

// A loaded MNIST sample. A load is begun, given the archive's bytes as they arrive (each decoded as it comes,
// see SampleDecoder) and ended; a failed load keeps the sample that was there.
class SampleHandle {
 public:
  // Starts loading mnist_sample.tgz as fastai ships it.
  void begin() {
    pending_.emplace();
    chunk_.clear();
  }

  // The archive's next bytes (a Uint8Array).
  std::string write(const val& bytes_array) {
    if (!pending_) return "no load in progress";
    if (bytes_array.isUndefined() || bytes_array.isNull()) return fail("no archive given");
    const std::size_t size = bytes_array["length"].as<std::size_t>();
    // A cap on one piece, checked before it is copied in; the decoder holds the whole archive to its limits.
    if (size > kMaxArchiveBytes)
      return fail("the archive is larger than " + std::to_string(kMaxArchiveBytes >> 20) + " MiB");
    chunk_.resize(size);
    val(emscripten::typed_memory_view(size, chunk_.data())).call<void>("set", bytes_array);
    if (auto written = pending_->write({chunk_.data(), size}); !written) return fail(written.error());
    return "";
  }

  // The archive has arrived whole: the sample it holds replaces the one loaded before.
  std::string end() {
    if (!pending_) return "no load in progress";
    auto sample = pending_->end();
    pending_.reset();
    chunk_ = {};
    if (!sample) return sample.error();
    sample_ = std::make_shared<const MnistSample>(std::move(sample).value());
    return "";
  }

  bool loaded() const { return sample_ != nullptr; }

  SampleCounts counts() const {
    if (!sample_) return {};
    return {sample_->train.count_label(1.0f), sample_->train.count_label(0.0f), sample_->valid.count_label(1.0f),
            sample_->valid.count_label(0.0f)};
  }

  BaselineResult pixelSimilarity() const {
    if (!sample_) return {};
    const BaselineAccuracy accuracy = evaluate_pixel_similarity(fit_pixel_similarity(sample_->train), sample_->valid);
    return {accuracy.threes, accuracy.sevens, accuracy.mean};
  }

  // One image, 784 values in [0, 1]; split is "train" or "valid". Empty when out of range.
  val image(const std::string& split, int index) const {
    const Dataset* set = dataset(split);
    if (!set || index < 0 || index >= set->size()) return val::global("Float32Array").new_(0);
    return to_float32_array(set->image(index).data(), kImagePixels);
  }

  // 1 for a 3, 0 for a 7; -1 when out of range.
  int label(const std::string& split, int index) const {
    const Dataset* set = dataset(split);
    if (!set || index < 0 || index >= set->size()) return -1;
    return static_cast<int>(set->y[index]);
  }

  // Every label of a split at once (a Float32Array: 1 for a 3, 0 for a 7); empty for an unknown split.
  val labels(const std::string& split) const {
    const Dataset* set = dataset(split);
    if (!set) return to_float32_array(nullptr, 0);
    return to_float32_array(set->y.data(), set->y.size());
  }

  const std::shared_ptr<const MnistSample>& shared() const { return sample_; }

 private:
  const Dataset* dataset(const std::string& split) const {
    if (!sample_) return nullptr;
    if (split == "train") return &sample_->train;
    if (split == "valid") return &sample_->valid;
    return nullptr;
  }

  std::string fail(const std::string& error) {
    pending_.reset();
    chunk_ = {};
    return error;
  }

  std::shared_ptr<const MnistSample> sample_;
  std::optional<SampleDecoder> pending_;
  std::vector<std::uint8_t> chunk_;  // the bytes of the current write(), copied into the heap
};

// One training run of a model on a sample.
class TrainerHandle {
 public:
  // Starts (or restarts) a run: parameters drawn from options.seed, nothing trained yet.
  std::string reset(const SampleHandle& sample, const RunOptions& options) {
    if (!sample.loaded()) return "no dataset loaded";
    auto run = check_run_options(options);
    if (!run) return run.error();
    TorchGenerator generator(run->config.seed);  // torch.manual_seed(seed), then the init draws from it
    auto model = make_model(run->model, run->init, generator);
    auto trainer = Trainer::create(sample.shared(), std::move(model), run->config, generator);
    if (!trainer) return trainer.error();
    trainer_.emplace(std::move(trainer).value());
    return "";
  }

  EpochResult trainEpoch() {
    if (!trainer_) return {0, 0.0f, 0.0, "the trainer has not been reset with a dataset"};
    auto stats = trainer_->train_epoch();
    if (!stats) return {trainer_->epochs_done() + 1, 0.0f, 0.0, stats.error()};
    return {stats->epoch, stats->train_loss, stats->ms, ""};
  }

  BatchResult trainBatch() {
    if (!trainer_) return {0, 0, 0, 0.0f, "the trainer has not been reset with a dataset"};
    auto stats = trainer_->train_batch();
    if (!stats) return {trainer_->epochs_done() + 1, 0, trainer_->batches_per_epoch(), 0.0f, stats.error()};
    return {stats->epoch, stats->batch, stats->batches_per_epoch, stats->loss, ""};
  }

  // One SGD step seen from inside (StepTrace): {epoch, batch, batchesPerEpoch, loss, threes, sevens, rows
  // (Int32Array), predictions (each image's P(3) before the step), gradient, update (Float32Arrays in the
  // parameters' layout), error}. Built as a plain object: a value_object's per-field code costs more.
  val traceBatch() {
    val result = val::object();
    auto trace = trainer_ ? trainer_->trace_batch() : Error{"the trainer has not been reset with a dataset"};
    result.set("error", trace ? std::string() : trace.error());
    if (!trace) return result;
    const BatchStats& stats = trace->stats;
    for (auto [name, value] : {std::pair{"epoch", stats.epoch}, {"batch", stats.batch},
                               {"batchesPerEpoch", stats.batches_per_epoch}, {"threes", trace->threes},
                               {"sevens", trace->sevens}})
      result.set(name, value);
    result.set("loss", stats.loss);
    result.set("rows", val(emscripten::typed_memory_view(trace->rows.size(), trace->rows.data())).call<val>("slice"));
    result.set("predictions", to_float32_array(trace->predictions.data(), trace->predictions.size()));
    result.set("gradient", to_float32_array(trace->gradient.data(), trace->gradient.size()));
    result.set("update", to_float32_array(trace->update.data(), trace->update.size()));
    return result;
  }

  // The loss of every SGD step of the run so far, in order.
  val stepLosses() const {
    if (!trainer_) return to_float32_array(nullptr, 0);
    const std::vector<float>& losses = trainer_->step_losses();
    return to_float32_array(losses.data(), losses.size());
  }

  ValidationResult validate() const {
    if (!trainer_) return {};
    const Validation v = trainer_->validate_epoch();
    return {v.validate_epoch, v.accuracy, v.correct, v.count};
  }

  int epochsDone() const { return trainer_ ? trainer_->epochs_done() : 0; }

  // The 2x2 confusion matrix on the validation set and the indices of the images the model gets wrong.
  ConfusionResult confusion() const {
    if (!trainer_) return {};
    const Confusion c = trainer_->confusion();
    return {c.threes_as_three, c.threes_as_seven, c.sevens_as_three, c.sevens_as_seven,
            val(emscripten::typed_memory_view(c.misclassified.size(), c.misclassified.data())).call<val>("slice")};
  }

  // The parameters in the reference files' layout: for the linear model the 784 weights, then the bias.
  val getParams() const {
    if (!trainer_) return val::global("Float32Array").new_(0);
    const std::vector<float> flat = trainer_->model().flat_params();
    return to_float32_array(flat.data(), flat.size());
  }

  // The parameters as text, one number a line (%.9g): what `mnist-sgd --save-params` writes, byte for byte.
  std::string paramsText() const { return trainer_ ? format_params(trainer_->model().flat_params()) : ""; }

  std::string setParams(const val& flat) {
    if (!trainer_) return "the trainer has not been reset with a dataset";
    auto set = trainer_->set_params(from_float32_array(flat));
    return set ? "" : set.error();
  }

  // The first layer's weights, one 784-value map per unit (1 for the linear model, 30 for simple_net).
  val weights() const {
    if (!trainer_) return val::global("Float32Array").new_(0);
    const std::vector<float> weights = trainer_->model().input_weights();
    return to_float32_array(weights.data(), weights.size());
  }

  // The probability that each of n images (n * 784 values in [0, 1]) is a 3, in one call; empty for a
  // wrong size or no run.
  val predictMany(const val& images) const {
    const std::vector<float> x = from_float32_array(images);
    if (!trainer_ || x.size() % kInputs != 0) return val::global("Float32Array").new_(0);
    std::vector<float> probabilities(x.size() / kInputs);
    for (std::size_t i = 0; i < probabilities.size(); ++i)
      probabilities[i] = trainer_->model().predict_three(x.data() + i * kInputs);
    return to_float32_array(probabilities.data(), probabilities.size());
  }

  // The probability that a 28x28 image (784 values in [0, 1]) is a 3; NaN for a wrong size or no run.
  double predict(const val& image) const {
    const std::vector<float> x = from_float32_array(image);
    if (!trainer_ || x.size() != static_cast<std::size_t>(kInputs)) return std::nan("");
    return trainer_->model().predict_three(x.data());
  }

 private:
  std::optional<Trainer> trainer_;
};

// A model without a dataset, for predictions where the training is not: the page classifies drawings on
// its own thread with the parameters the training worker sends after each step.
class PredictorHandle {
 public:
  // The parameters of `model` ("linear" or "simple_net") in the reference files' layout.
  std::string load(const std::string& model, const val& flat) {
    const auto kind = parse_model_kind(model);
    if (!kind) return kind.error();
    auto loaded = make_model(*kind, from_float32_array(flat));
    if (!loaded) return loaded.error();
    model_ = std::move(loaded).value();
    return "";
  }

  // The probability that a 28x28 image (784 values in [0, 1]) is a 3; NaN for a wrong size or no model.
  double predict(const val& image) const {
    const std::vector<float> x = from_float32_array(image);
    if (!model_ || x.size() != static_cast<std::size_t>(kInputs)) return std::nan("");
    return model_->predict_three(x.data());
  }

 private:
  std::unique_ptr<Model> model_;
};

// A drawing (height x width ink values in [0, 1]) -> the 28x28 image MNIST would have made of it;
// empty when there is no ink.
val preprocess_drawing(const val& ink, int width, int height) {
  const std::vector<float> pixels = from_float32_array(ink);
  if (width <= 0 || height <= 0 || pixels.size() != static_cast<std::size_t>(width) * height)
    return val::global("Float32Array").new_(0);
  const std::vector<float> image = mnist_preprocess(pixels.data(), width, height);
  return to_float32_array(image.data(), image.size());
}

// What the page shows about the models, read from the engine: {imageSide, inputs, models: {linear: {units,
// paramCount, book: {lr, epochs}, defaultInit}, simple_net: ...}, inits, seed: {min, max} (decimal strings),
// batchSize: {min, max}}.
val facts() {
  val models = val::object();
  for (ModelKind kind : kModelKinds) {
    const ModelFacts& facts = model_facts(kind);
    val book = val::object();
    book.set("lr", facts.book.lr);
    book.set("epochs", facts.book.epochs);
    val model = val::object();
    model.set("units", facts.units);
    model.set("paramCount", static_cast<double>(facts.param_count));
    model.set("book", book);
    model.set("defaultInit", std::string(init_name(facts.default_init)));
    models.set(facts.name, model);
  }
  val inits = val::array();
  for (Init init : kInits) inits.call<void>("push", std::string(init_name(init)));
  auto range = [](auto min, auto max) {
    val object = val::object();
    object.set("min", min);
    object.set("max", max);
    return object;
  };
  val result = val::object();
  result.set("imageSide", kImageSide);
  result.set("inputs", kInputs);
  result.set("models", models);
  result.set("inits", inits);
  // In decimal: 2^64 - 1 is past what a JavaScript number holds exactly.
  result.set("seed", range(std::to_string(kMinSeed), std::to_string(kMaxSeed)));
  result.set("batchSize", range(kMinBatchSize, kMaxBatchSize));
  return result;
}

struct ParsedParams {
  val values = val::null();  // Float32Array
  std::string error;
};

// A parameters file's text (one number a line, as --save-params writes it) -> the values of `model`.
ParsedParams parse_params_text(const std::string& model, const std::string& text) {
  const auto kind = parse_model_kind(model);
  if (!kind) return {val::null(), kind.error()};
  auto values = parse_params(text, model_facts(*kind).param_count);
  if (!values) return {val::null(), values.error()};
  return {to_float32_array(values->data(), values->size()), ""};
}

// Parameters -> the text --save-params writes, one %.9g number a line.
std::string format_params_text(const val& params) { return format_params(from_float32_array(params)); }

// Bytes the C++ heap has handed out and not had back: the leak checks watch this.
double heap_bytes_in_use() { return static_cast<double>(mallinfo().uordblks); }

}  // namespace
}  // namespace mnist_sgd

EMSCRIPTEN_BINDINGS(mnist_sgd) {
  using namespace emscripten;
  using namespace mnist_sgd;

  value_object<RunOptions>("RunOptions")
      .field("model", &RunOptions::model)
      .field("lr", &RunOptions::lr)
      .field("batchSize", &RunOptions::batch_size)
      .field("seed", &RunOptions::seed)
      .field("shuffle", &RunOptions::shuffle)
      .field("init", &RunOptions::init)
      .field("loss", &RunOptions::loss);
  value_object<EpochResult>("EpochResult")
      .field("epoch", &EpochResult::epoch)
      .field("trainLoss", &EpochResult::trainLoss)
      .field("ms", &EpochResult::ms)
      .field("error", &EpochResult::error);
  value_object<BatchResult>("BatchResult")
      .field("epoch", &BatchResult::epoch)
      .field("batch", &BatchResult::batch)
      .field("batchesPerEpoch", &BatchResult::batchesPerEpoch)
      .field("loss", &BatchResult::loss)
      .field("error", &BatchResult::error);
  value_object<ValidationResult>("ValidationResult")
      .field("validateEpoch", &ValidationResult::validateEpoch)
      .field("accuracy", &ValidationResult::accuracy)
      .field("correct", &ValidationResult::correct)
      .field("count", &ValidationResult::count);
  value_object<ConfusionResult>("ConfusionResult")
      .field("threesAsThree", &ConfusionResult::threesAsThree)
      .field("threesAsSeven", &ConfusionResult::threesAsSeven)
      .field("sevensAsThree", &ConfusionResult::sevensAsThree)
      .field("sevensAsSeven", &ConfusionResult::sevensAsSeven)
      .field("misclassified", &ConfusionResult::misclassified);
  value_object<BaselineResult>("BaselineResult")
      .field("threes", &BaselineResult::threes)
      .field("sevens", &BaselineResult::sevens)
      .field("mean", &BaselineResult::mean);
  value_object<ParsedParams>("ParsedParams")
      .field("values", &ParsedParams::values)
      .field("error", &ParsedParams::error);
  value_object<SampleCounts>("SampleCounts")
      .field("train3", &SampleCounts::train3)
      .field("train7", &SampleCounts::train7)
      .field("valid3", &SampleCounts::valid3)
      .field("valid7", &SampleCounts::valid7);

  class_<SampleHandle>("Sample")
      .constructor<>()
      .function("begin", &SampleHandle::begin)
      .function("write", &SampleHandle::write)
      .function("end", &SampleHandle::end)
      .function("loaded", &SampleHandle::loaded)
      .function("counts", &SampleHandle::counts)
      .function("pixelSimilarity", &SampleHandle::pixelSimilarity)
      .function("image", &SampleHandle::image)
      .function("label", &SampleHandle::label)
      .function("labels", &SampleHandle::labels);
  class_<TrainerHandle>("Trainer")
      .constructor<>()
      .function("reset", &TrainerHandle::reset)
      .function("trainEpoch", &TrainerHandle::trainEpoch)
      .function("trainBatch", &TrainerHandle::trainBatch)
      .function("traceBatch", &TrainerHandle::traceBatch)
      .function("stepLosses", &TrainerHandle::stepLosses)
      .function("validate", &TrainerHandle::validate)
      .function("epochsDone", &TrainerHandle::epochsDone)
      .function("confusion", &TrainerHandle::confusion)
      .function("getParams", &TrainerHandle::getParams)
      .function("paramsText", &TrainerHandle::paramsText)
      .function("setParams", &TrainerHandle::setParams)
      .function("weights", &TrainerHandle::weights)
      .function("predict", &TrainerHandle::predict)
      .function("predictMany", &TrainerHandle::predictMany);
  class_<PredictorHandle>("Predictor")
      .constructor<>()
      .function("load", &PredictorHandle::load)
      .function("predict", &PredictorHandle::predict);
  function("preprocessDrawing", &preprocess_drawing);
  function("facts", &facts);
  function("parseParams", &parse_params_text);
  function("formatParams", &format_params_text);
  function("heapBytesInUse", &heap_bytes_in_use);
}
