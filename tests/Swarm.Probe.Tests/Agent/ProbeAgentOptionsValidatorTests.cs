using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Swarm.Core.Bidding;
using Swarm.Core.Model;
using Swarm.Core.Negotiation;
using Swarm.Probe.Agent;

namespace Swarm.Probe.Tests.Agent;

public sealed class ProbeAgentOptionsValidatorTests
{
    private static BidContext Context(double ownerLoad) =>
        new(new Demand(0, new ResourceVector(1000, 512), TaskKind.Exec, "", 1, 1), Utilisation: 0, ownerLoad, Floor: 0);

    private static List<string> Failures(ProbeAgentOptions options) =>
        new ProbeAgentOptionsValidator().Validate(null, options).Failures?.ToList() ?? [];

    [Fact]
    public void Validate_Defaults_Succeeds()
    {
        Assert.True(new ProbeAgentOptionsValidator().Validate(null, new ProbeAgentOptions()).Succeeded);
    }

    [Theory]
    [InlineData("fixed")]
    [InlineData("load")]
    [InlineData("owner-priority")]
    [InlineData("market")]
    public void Validate_KnownStrategy_Succeeds(string strategy)
    {
        Assert.Empty(Failures(new ProbeAgentOptions { PriceStrategy = strategy }));
    }

    [Fact]
    public void Validate_UnknownStrategy_NamesTheOptionAndTheChoices()
    {
        Assert.Equal(
            ["Probe:PriceStrategy 'cheap' is unknown: expected fixed, load, owner-priority, market"],
            Failures(new ProbeAgentOptions { PriceStrategy = "cheap" }));
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(-1)]
    public void Validate_BadBasePrice_NamesBasePrice(double basePrice)
    {
        var failure = Assert.Single(Failures(new ProbeAgentOptions { BasePrice = basePrice }));

        Assert.StartsWith("Probe:BasePrice must be a finite number in [0, 1000000]", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_EveryStrategyNumberBad_NamesEachOption()
    {
        var options = new ProbeAgentOptions
        {
            LoadSlope = -1,
            OwnerWeight = double.NaN,
            MarketUndercut = 1.5,
            MarketSmoothing = 0,
            MarketStep = -0.1,
            MarketMaxShift = 1,
        };

        Assert.Equal(
            ["Probe:LoadSlope", "Probe:OwnerWeight", "Probe:MarketUndercut", "Probe:MarketSmoothing", "Probe:MarketStep", "Probe:MarketMaxShift"],
            Failures(options).Select(f => f[..f.IndexOf(' ', StringComparison.Ordinal)]));
    }

    [Fact]
    public void CreateBidStrategy_MarketOptions_BuildsMarketStrategyWithThoseNumbers()
    {
        var options = new ProbeAgentOptions { PriceStrategy = "market", BasePrice = 2, MarketUndercut = 0.2 };

        var strategy = Assert.IsType<MarketFollowingStrategy>(options.CreateBidStrategy());
        strategy.Observe(new MarketSignal.ReferenceSeen(1));

        Assert.Equal(0.8, strategy.UnitPrice(Context(ownerLoad: 0)), 12);
    }

    [Fact]
    public void CreateBidStrategy_OwnerPriorityOptions_UsesOwnerWeight()
    {
        var options = new ProbeAgentOptions { PriceStrategy = "owner-priority", BasePrice = 1, OwnerWeight = 4 };

        var strategy = options.CreateBidStrategy();

        Assert.Equal(5, strategy.UnitPrice(Context(ownerLoad: 0.5)), 12);
    }

    [Fact]
    public void AddSwarmProbe_BadStrategySettings_FailsValidationNamingEachOption()
    {
        using var host = ProbeApp.Build(new Dictionary<string, string?>
        {
            ["Probe:PriceStrategy"] = "auction",
            ["Probe:MarketUndercut"] = "-0.5",
        });

        var ex = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IOptions<ProbeAgentOptions>>().Value);

        Assert.Contains(ex.Failures, f => f.StartsWith("Probe:PriceStrategy 'auction' is unknown", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.StartsWith("Probe:MarketUndercut must be", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_InlineOutputNotBelowMessageSize_NamesBothOptions()
    {
        Assert.Equal(
            ["Probe:InlineOutputBytes (65536) must be below Probe:MaxMessageBytes (65536): an inline output must fit in a message"],
            Failures(new ProbeAgentOptions { InlineOutputBytes = 65536, MaxMessageBytes = 65536 }));
    }
}
