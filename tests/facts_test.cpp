// The engine as the one source of facts about the models (what the CLI and the page show), and its checks
// of a run's options as the page names them.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <string>

#include "book/linear.hpp"
#include "book/model.hpp"
#include "book/simple_net.hpp"
#include "book/training.hpp"

using namespace mnist_sgd;

TEST_CASE("each model's facts are the book's and match the model the engine builds", "[facts]") {
  const ModelFacts& linear = model_facts(ModelKind::linear);
  CHECK(std::string(linear.name) == "linear");
  CHECK(linear.units == 1);
  CHECK(linear.param_count == 785);
  CHECK(linear.book.lr == 1.0);
  CHECK(linear.book.epochs == 20);
  CHECK(linear.default_init == Init::randn);

  const ModelFacts& net = model_facts(ModelKind::simple_net);
  CHECK(std::string(net.name) == "simple_net");
  CHECK(net.units == 30);
  CHECK(net.param_count == 23581);
  CHECK(net.book.lr == 0.1);
  CHECK(net.book.epochs == 40);
  CHECK(net.default_init == Init::pytorch_linear);

  for (ModelKind kind : kModelKinds) {
    const ModelFacts& facts = model_facts(kind);
    INFO(facts.name);
    const auto model = make_model(kind, 1, facts.default_init);
    CHECK(model->kind() == kind);
    CHECK(model->flat_params().size() == facts.param_count);
    CHECK(model->input_weights().size() == static_cast<std::size_t>(facts.units) * kInputs);
    auto parsed = parse_model_kind(facts.name);
    REQUIRE(parsed);
    CHECK(*parsed == kind);
  }
}

TEST_CASE("model and init names parse, and other names are refused with the choices", "[facts]") {
  auto mlp = parse_model_kind("mlp");
  REQUIRE_FALSE(mlp);
  CHECK(mlp.error() == "model must be \"linear\" or \"simple_net\"");
  CHECK_FALSE(parse_model_kind("Linear"));

  for (Init init : kInits) {
    auto parsed = parse_init(init_name(init));
    REQUIRE(parsed);
    CHECK(*parsed == init);
  }
  CHECK(std::string(init_name(Init::randn)) == "randn");
  CHECK(std::string(init_name(Init::pytorch_linear)) == "pytorch");
  auto zeros = parse_init("zeros");
  REQUIRE_FALSE(zeros);
  CHECK_THAT(zeros.error(), Catch::Contains("init must be"));
}

TEST_CASE("run options resolve names and defaults into a run", "[facts][trainer]") {
  auto book = check_run_options(RunOptions{});
  REQUIRE(book);
  CHECK(book->model == ModelKind::linear);
  CHECK(book->init == Init::randn);  // "default": the linear model's own
  CHECK(book->config.lr == 1.0f);
  CHECK(book->config.batch_size == 256);
  CHECK(book->config.seed == 42);
  CHECK_FALSE(book->config.shuffle);

  RunOptions options;
  options.model = "simple_net";
  options.lr = 0.1f;
  options.batch_size = 64;
  options.seed = "18446744073709551615";  // 2^64 - 1, the largest seed torch.manual_seed takes
  options.shuffle = true;
  auto net = check_run_options(options);
  REQUIRE(net);
  CHECK(net->model == ModelKind::simple_net);
  CHECK(net->init == Init::pytorch_linear);  // simple_net's own
  CHECK(net->config.seed == 18446744073709551615ULL);
  CHECK(net->config.batch_size == 64);
  CHECK(net->config.shuffle);
  options.init = "randn";
  REQUIRE(check_run_options(options));
  CHECK(check_run_options(options)->init == Init::randn);
}

TEST_CASE("run options are refused with a one-line message naming the first bad one", "[facts][trainer]") {
  struct Case {
    const char* what;
    RunOptions options;
    const char* message;
  };
  auto with = [](auto change) {
    RunOptions options;
    change(options);
    return options;
  };
  const Case cases[] = {
      {"a fractional seed", with([](RunOptions& o) { o.seed = "1.5"; }),
       "seed must be a whole number from 0 to 18446744073709551615"},
      {"a negative seed", with([](RunOptions& o) { o.seed = "-1"; }), "seed must be"},
      {"seed 2^64", with([](RunOptions& o) { o.seed = "18446744073709551616"; }), "seed must be"},
      {"seed 10^20", with([](RunOptions& o) { o.seed = "100000000000000000000"; }), "seed must be"},
      {"no seed", with([](RunOptions& o) { o.seed = ""; }), "seed must be"},
      {"a seed in exponent form", with([](RunOptions& o) { o.seed = "1e3"; }), "seed must be"},
      {"a seed with a sign", with([](RunOptions& o) { o.seed = "+7"; }), "seed must be"},
      {"model mlp", with([](RunOptions& o) { o.model = "mlp"; }), "model must be \"linear\" or \"simple_net\""},
      {"init zeros", with([](RunOptions& o) { o.init = "zeros"; }),
       "init must be \"randn\", \"pytorch\" or \"default\""},
      {"lr 0", with([](RunOptions& o) { o.lr = 0.0f; }), "learning rate"},
      {"batch size 0", with([](RunOptions& o) { o.batch_size = 0; }),
       "batch size must be between 1 and 1048576, got 0"},
  };
  for (const Case& c : cases) {
    INFO(c.what);
    auto run = check_run_options(c.options);
    REQUIRE_FALSE(run);
    CHECK_THAT(run.error(), Catch::Contains(c.message));
    CHECK(run.error().find('\n') == std::string::npos);
  }

  // Leading zeros are a seed's digits all the same.
  CHECK(parse_seed("007").value() == 7);
  CHECK(parse_seed("0").value() == 0);
}
