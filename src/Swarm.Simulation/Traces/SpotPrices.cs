using System.Diagnostics.CodeAnalysis;

namespace Swarm.Simulation.Traces;

/// <summary>Which spot market a price series belongs to.</summary>
/// <param name="Zone">Global availability-zone id, e.g. <c>use1-az4</c>.</param>
/// <param name="InstanceType">EC2 instance type, e.g. <c>c5.4xlarge</c>.</param>
/// <param name="Product">Product description (OS), e.g. <c>Linux/UNIX</c>.</param>
public readonly record struct SpotMarket(string Zone, string InstanceType, string Product);

/// <summary>A spot price change: from <paramref name="At"/> (UTC) the price is <paramref name="UsdPerHour"/>.</summary>
public readonly record struct SpotPriceChange(DateTimeOffset At, double UsdPerHour);

/// <summary>One market's spot price as a step function of time.</summary>
public sealed class SpotPriceSeries
{
    private readonly DateTimeOffset[] _times;

    internal SpotPriceSeries(SpotMarket market, IReadOnlyList<SpotPriceChange> changes)
    {
        Market = market;
        Changes = changes;
        _times = [.. changes.Select(c => c.At)];
    }

    /// <summary>The market.</summary>
    public SpotMarket Market { get; }

    /// <summary>The price changes in time order (at least one; at most one per instant).</summary>
    public IReadOnlyList<SpotPriceChange> Changes { get; }

    /// <summary>
    /// The price in USD per hour at <paramref name="at"/>: a price holds until the next change; before the first change
    /// the first price is used.
    /// </summary>
    public double PriceAt(DateTimeOffset at)
    {
        var i = Array.BinarySearch(_times, at);
        i = i >= 0 ? i : Math.Max(0, ~i - 1);
        return Changes[i].UsdPerHour;
    }
}

/// <summary>
/// AWS EC2 spot price history (<c>describe-spot-price-history</c> rows; the shared <c>spot_price/</c> file, columns
/// <c>availability_zone_id, instance_type, product_description, spot_price_usd_per_hour, timestamp</c>), as one price
/// series per (zone, instance type, product).
/// </summary>
public sealed class SpotPrices
{
    private readonly Dictionary<SpotMarket, SpotPriceSeries> _byMarket;

    private SpotPrices(IReadOnlyList<SpotPriceSeries> series)
    {
        Series = series;
        _byMarket = series.ToDictionary(s => s.Market);
    }

    /// <summary>Every series, ordered by zone, instance type and product (ordinal).</summary>
    public IReadOnlyList<SpotPriceSeries> Series { get; }

    /// <summary>
    /// Loads the rows of <paramref name="product"/> (default <c>Linux/UNIX</c>; null keeps every product), optionally only
    /// those of <paramref name="instanceTypes"/> and <paramref name="zones"/> (null or empty keeps all). Timestamps are ISO
    /// 8601 (an offset-less time is UTC). When one market has two rows at the same instant, the later row wins.
    /// </summary>
    /// <exception cref="TraceFormatException">A row is malformed; the message names the file, line and column.</exception>
    public static SpotPrices Load(string path, string? product = "Linux/UNIX", IReadOnlyCollection<string>? instanceTypes = null, IReadOnlyCollection<string>? zones = null)
    {
        var types = instanceTypes is { Count: > 0 } ? instanceTypes.ToHashSet(StringComparer.Ordinal) : null;
        var zoneSet = zones is { Count: > 0 } ? zones.ToHashSet(StringComparer.Ordinal) : null;
        var rows = new Dictionary<SpotMarket, SortedDictionary<DateTimeOffset, double>>();
        foreach (var (csv, cells, line) in CsvRows.ReadQuoted(path, "availability_zone_id", "instance_type", "product_description", "spot_price_usd_per_hour", "timestamp"))
        {
            var market = new SpotMarket(
                csv.Text(cells, line, "availability_zone_id").Trim(), csv.Text(cells, line, "instance_type").Trim(), csv.Text(cells, line, "product_description").Trim());
            var price = csv.NonNegative(cells, line, "spot_price_usd_per_hour");
            var at = csv.Parse<DateTimeOffset>(cells, line, "timestamp", CsvRows.TryParseIsoTime, "an ISO 8601 time");
            if ((product is not null && market.Product != product) || (types is not null && !types.Contains(market.InstanceType)) || (zoneSet is not null && !zoneSet.Contains(market.Zone)))
            {
                continue;
            }

            if (!rows.TryGetValue(market, out var changes))
            {
                rows[market] = changes = [];
            }

            changes[at] = price;
        }

        return new SpotPrices([.. rows
            .OrderBy(kv => kv.Key.Zone, StringComparer.Ordinal).ThenBy(kv => kv.Key.InstanceType, StringComparer.Ordinal).ThenBy(kv => kv.Key.Product, StringComparer.Ordinal)
            .Select(kv => new SpotPriceSeries(kv.Key, [.. kv.Value.Select(c => new SpotPriceChange(c.Key, c.Value))]))]);
    }

    /// <summary>The series of one market, if it was loaded.</summary>
    public bool TryGet(SpotMarket market, [NotNullWhen(true)] out SpotPriceSeries? series) => _byMarket.TryGetValue(market, out series);
}
