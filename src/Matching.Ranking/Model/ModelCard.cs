using System.Text.Json;
using System.Text.Json.Serialization;

namespace Matching.Ranking.Model;

/// <summary>One calibration bin: the predicted retention against how many were in fact retained.</summary>
public sealed record CalibrationBin(double From, double To, int Pairs, double MeanPredicted, double Observed);

/// <summary>
/// A model's figures on the test period of the time split (offers later than any used for training or for choosing
/// the model): NDCG@10 per opening of every ranking compared — random order, the recall's relevance (what search alone
/// gives), a county clerk's hand-written rule, a plain logistic regression on the same features, the model, and, for
/// the demo world only, the generator's own true probabilities (the oracle) — with the model's AUC and calibration.
/// <see cref="OracleShare"/> = (model − clerk rule) / (oracle − clerk rule): how much of what is learnable beyond the
/// clerk's rule the model gets.
/// </summary>
public sealed record Evaluation(
    string Split,
    int TrainingPairs,
    int ValidationPairs,
    int TestOpenings,
    int TestPairs,
    double TestPositiveRate,
    double NdcgRandom,
    double NdcgSearch,
    double NdcgClerkRule,
    double NdcgLogistic,
    double NdcgModel,
    double? NdcgOracle,
    double AucModel,
    double AucLogistic,
    double AucClerkRule,
    double AucSearch,
    double? AucOracle,
    double EceModel,
    double BrierModel,
    double LogLossModel,
    double? OracleShare,
    double ValidationNdcgFastTree,
    double ValidationNdcgLogistic,
    IReadOnlyList<CalibrationBin> Calibration);

/// <summary>What is known about a trained model; written beside it as JSON (read at load) and as a Markdown card.</summary>
public sealed record ModelCard(
    string Version,
    DateTimeOffset TrainedAt,
    string Kind,
    string Trainer,
    IReadOnlyList<string> Features,
    int TrainingPairs,
    int TrainingOpenings,
    double TrainingPositiveRate,
    string DataHash,
    string SplitRule,
    Evaluation Evaluation)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}

/// <summary>The kinds of retention model the trainer builds and chooses between.</summary>
public static class ModelKinds
{
    /// <summary>Gradient-boosted trees (ML.NET FastTree), Platt-calibrated.</summary>
    public const string FastTree = "fasttree";

    /// <summary>Logistic regression (ML.NET L-BFGS) on mean–variance normalised features.</summary>
    public const string Logistic = "logistic";
}
