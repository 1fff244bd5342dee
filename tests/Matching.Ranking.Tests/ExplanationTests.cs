using Matching.Domain.Matching;
using Matching.Domain.Workers;
using Matching.Ranking.Features;
using Matching.Ranking.Model;
using Matching.Ranking.Serving;
using Matching.Ranking.Training;

namespace Matching.Ranking.Tests;

[Collection(RankingCollection.Name)]
public sealed class ExplanationTests(RankingFixture fixture)
{
    /// <summary>
    /// Outcomes that depend only on fellow villagers and on the wage against the expectation; every other feature is
    /// noise. A model trained on them must name exactly those two as the top factors of a pair where both are strong.
    /// </summary>
    private static List<FeaturedPair> KnownWorld()
    {
        var random = new Random(5);
        var pairs = new List<FeaturedPair>();
        for (var i = 0; i < 4_000; i++)
        {
            var v = new float[MatchFeatures.Count];
            for (var f = 0; f < v.Length; f++)
            {
                v[f] = random.Next(0, 5);
            }
            v[(int)Feature.FellowVillagersRetained] = random.Next(0, 16);
            v[(int)Feature.WageVsExpected] = (float)(random.NextDouble() * 5 - 2);
            var logit = -2.5 + 0.35 * v[(int)Feature.FellowVillagersRetained] + 1.2 * v[(int)Feature.WageVsExpected];
            var retained = random.NextDouble() < 1 / (1 + Math.Exp(-logit));
            pairs.Add(new FeaturedPair(new LabelledPair(i % 300 + 1, i + 1, new DateOnly(2020, 1, 1).AddDays(i), null, retained, new DateOnly(2020, 1, 1).AddDays(i)), v));
        }
        return pairs;
    }

    private PairFacts KnownPair() => new(
        new TradeFit(TradeMatch.SameTrade, new WorkerTrade("T029", 3)), "焊工", "焊工", "焊接与热切割",
        MinLevel: 2, MaxLevel: 8, RequiredCertificates: ["special-operation"], MissingCertificates: [], SkillCertificate: false,
        DestinationRank: 2, CityPreferred: false, ProvinceName: "广东省", CityName: "东莞市",
        WageMin: 6500, WageMax: 8000, ExpectedWage: 5000, Age: 3, AgeMin: 1, AgeMax: 4, TrainingTypeFit: true, TrainingType: "pre-job",
        TravelKm: 2, Employer: new EmployerRecord(2, 1, 12), DaysSinceRegistration: 1, PriorityGroups: [], Accommodation: true, Meals: false,
        Education: 2, EducationName: "初中");

    [Theory]
    [InlineData(ModelKinds.FastTree)]
    [InlineData(ModelKinds.Logistic)]
    public void The_reasons_of_a_known_pair_name_its_real_top_factors_in_plain_Chinese(string kind)
    {
        var model = new RetentionTrainer(TimeProvider.System).Train(KnownWorld(), RankingFixture.TinyModel with { Trees = 60, Kind = kind }).Model;
        Assert.Equal(kind, model.Card.Kind);
        // Either kind serves from a compiled copy that gives ML.NET's own probabilities.
        Assert.True(model.Compiled);
        var sample = KnownWorld().Take(200).Select(p => p.Features).ToList();
        var byMlNet = model.PredictBatch(sample);
        var compiled = model.PredictEach(sample);
        Assert.All(Enumerable.Range(0, sample.Count), i => Assert.Equal(byMlNet[i], compiled[i], 0.0001f));
        var facts = KnownPair();
        var vector = facts.ToVector();

        var (probability, contributions) = model.Explain(vector);
        var factors = Explanations.TopFactorsOf(facts, contributions, fixture.Environment.Catalogue);

        Assert.Equal(
            new[] { "fellow_villagers_retained", "wage_vs_expected" }.Order(),
            factors.Take(2).Select(f => f.Feature).Order());
        Assert.All(factors.Take(2), f => Assert.Equal("有利", f.Effect));
        var sentence = Explanations.Sentence(factors);
        Assert.Contains("同县已有12人在该企业稳定就业", sentence, StringComparison.Ordinal);
        Assert.Contains("期望薪资低于岗位下限", sentence, StringComparison.Ordinal);

        // Independently of the contribution method: taking either factor away lowers the prediction more than any noise feature.
        float Without(Feature feature, float value)
        {
            var changed = vector.ToArray();
            changed[(int)feature] = value;
            return model.Predict(changed);
        }
        var dropFellows = probability - Without(Feature.FellowVillagersRetained, 0);
        var dropWage = probability - Without(Feature.WageVsExpected, -1);
        var largestNoise = MatchFeatures.All.Select(f => f.Feature)
            .Where(f => f is not Feature.FellowVillagersRetained and not Feature.WageVsExpected)
            .Max(f => Math.Abs(probability - Without(f, 0)));
        Assert.True(dropFellows > largestNoise && dropWage > largestNoise, $"fellows {dropFellows}, wage {dropWage}, noise {largestNoise}");
    }

    [Fact]
    public void Reasons_describe_the_pair_as_a_labour_officer_would()
    {
        var facts = KnownPair();
        var catalogue = fixture.Environment.Catalogue;
        Assert.Equal("同为焊工", Explanations.Reason(Feature.TradeMatch, facts, catalogue));
        Assert.Equal("等级高于要求一级", Explanations.Reason(Feature.LevelGap, facts, catalogue));
        Assert.Equal("广东省是第二意向地", Explanations.Reason(Feature.DestinationRank, facts, catalogue));
        Assert.Equal("持有所需的特种作业操作证", Explanations.Reason(Feature.MissingCertificates, facts, catalogue));
        var overpriced = facts with { ExpectedWage = 8600 };
        Assert.Equal("期望薪资高于岗位上限600元", Explanations.Reason(Feature.WageVsExpected, overpriced, catalogue));
        Assert.Contains("期望薪资高于岗位上限600元", Explanations.UnmetRequirements(overpriced, catalogue));
        var otherTrade = facts with { Fit = new TradeFit(TradeMatch.SameFamily, new WorkerTrade("T031", 3)), WorkerTradeName = "氩弧焊工" };
        Assert.True(Explanations.TrainingClosesGap(otherTrade));
        Assert.False(Explanations.TrainingClosesGap(facts));
        Assert.Contains(Explanations.UnmetRequirements(otherTrade, catalogue), u => u.Contains("氩弧焊工", StringComparison.Ordinal));
    }
}
