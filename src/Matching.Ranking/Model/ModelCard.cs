using System.Text.Json;
using System.Text.Json.Serialization;

namespace Matching.Ranking.Model;

/// <summary>One calibration bin: the predicted retention against how many were in fact retained.</summary>
public sealed record CalibrationBin(double From, double To, int Pairs, double MeanPredicted, double Observed);

/// <summary>Figures measured on the held-out openings (never seen in training).</summary>
public sealed record HeldOutMetrics(
    int Openings,
    int Pairs,
    double ModelAuc,
    double ModelLogLoss,
    double ModelNdcgAt10,
    double SearchAuc,
    double SearchNdcgAt10,
    double RandomAuc,
    double RandomNdcgAt10,
    double BrierScore,
    double ExpectedCalibrationError,
    IReadOnlyList<CalibrationBin> Calibration);

/// <summary>What is known about a trained model; written beside it as JSON (read at load) and as a Markdown card.</summary>
public sealed record ModelCard(
    string Version,
    DateTimeOffset TrainedAt,
    string Trainer,
    IReadOnlyList<string> Features,
    int TrainingPairs,
    int TrainingOpenings,
    double TrainingPositiveRate,
    string DataHash,
    string HeldOutRule,
    HeldOutMetrics HeldOut)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}
