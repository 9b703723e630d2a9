namespace Swarm.Optimization;

/// <summary>Exact integer packing of one probe's offers (few items) by depth-first search with a surrogate bound.</summary>
internal sealed class OfferKnapsack
{
    private readonly long[] _free = new long[LagrangianModel.Dims];
    private double[] _lambda = new double[LagrangianModel.Dims];
    private int[] _items = new int[8];
    private double[] _v = new double[8];
    private int[] _u = new int[8];
    private long[] _s = new long[8 * LagrangianModel.Dims];
    private double[] _w = new double[8];
    private int[] _n = new int[8];
    private int[] _scratch = new int[8];
    private int _m;
    private double _best;

    public int[] Taken { get; private set; } = new int[8];

    public double Solve(LagrangianModel model, int probe, int from, int to, double[] value)
    {
        var count = to - from;
        if (_items.Length < count)
        {
            Grow(count);
        }

        Array.Clear(Taken, 0, count);
        for (var d = 0; d < LagrangianModel.Dims; d++)
        {
            _free[d] = model.ProbeFree[(probe * LagrangianModel.Dims) + d];
            _lambda[d] = _free[d] > 0 ? 1.0 / _free[d] : 0;
        }

        _m = 0;
        for (var j = 0; j < count; j++)
        {
            var o = model.ProbeOffers[from + j];
            if (value[o] <= 0)
            {
                continue;
            }

            var i = _m++;
            _items[i] = j;
            _v[i] = value[o];
            _u[i] = model.OfferUnits[o];
            double w = 0;
            for (var d = 0; d < LagrangianModel.Dims; d++)
            {
                var s = model.ShapeDims[(model.OfferShape[o] * LagrangianModel.Dims) + d];
                _s[(i * LagrangianModel.Dims) + d] = s;
                w += s * _lambda[d];
            }

            _w[i] = w;
        }

        if (_m == 0)
        {
            return 0;
        }

        // Densest first (value per surrogate size), insertion sort over a handful of items.
        for (var i = 1; i < _m; i++)
        {
            for (var k = i; k > 0 && Density(k) > Density(k - 1); k--)
            {
                Swap(k, k - 1);
            }
        }

        _best = -1;
        Array.Clear(_n, 0, _m);
        Array.Clear(_scratch, 0, _m);
        Search(0, 0, _scratch);
        for (var i = 0; i < _m; i++)
        {
            Taken[_items[i]] = _n[i];
        }

        return _best;
    }

    private double Density(int i) => _w[i] <= 0 ? double.PositiveInfinity : _v[i] / _w[i];

    private void Search(int i, double value, int[] n)
    {
        if (i == _m)
        {
            if (value > _best)
            {
                _best = value;
                Array.Copy(n, _n, _m);
            }

            return;
        }

        if (value + Optimistic(i) <= _best + 1e-9)
        {
            return;
        }

        var max = Copies(i);
        for (var k = max; k >= 0; k--)
        {
            n[i] = k;
            Take(i, k);
            Search(i + 1, value + (k * _v[i]), n);
            Take(i, -k);
        }

        n[i] = 0;
    }

    /// <summary>Fractional bound of items i.. on the surrogate constraint, each capped by its own copies.</summary>
    private double Optimistic(int i)
    {
        double cap = 0;
        for (var d = 0; d < LagrangianModel.Dims; d++)
        {
            cap += _free[d] * _lambda[d];
        }

        double bound = 0;
        for (var k = i; k < _m && cap > 1e-12; k++)
        {
            double take = Copies(k);
            if (_w[k] > 0)
            {
                take = Math.Min(take, cap / _w[k]);
            }

            bound += take * _v[k];
            cap -= take * _w[k];
        }

        return bound;
    }

    private int Copies(int i)
    {
        long n = _u[i];
        for (var d = 0; d < LagrangianModel.Dims; d++)
        {
            var s = _s[(i * LagrangianModel.Dims) + d];
            if (s > 0)
            {
                n = Math.Min(n, _free[d] / s);
            }
        }

        return (int)Math.Max(0, n);
    }

    private void Take(int i, int k)
    {
        for (var d = 0; d < LagrangianModel.Dims; d++)
        {
            _free[d] -= k * _s[(i * LagrangianModel.Dims) + d];
        }
    }

    private void Swap(int a, int b)
    {
        (_items[a], _items[b]) = (_items[b], _items[a]);
        (_v[a], _v[b]) = (_v[b], _v[a]);
        (_u[a], _u[b]) = (_u[b], _u[a]);
        (_w[a], _w[b]) = (_w[b], _w[a]);
        for (var d = 0; d < LagrangianModel.Dims; d++)
        {
            (_s[(a * LagrangianModel.Dims) + d], _s[(b * LagrangianModel.Dims) + d]) = (_s[(b * LagrangianModel.Dims) + d], _s[(a * LagrangianModel.Dims) + d]);
        }
    }

    private void Grow(int count)
    {
        _items = new int[count];
        _v = new double[count];
        _u = new int[count];
        _s = new long[count * LagrangianModel.Dims];
        _w = new double[count];
        _n = new int[count];
        _scratch = new int[count];
        Taken = new int[count];
        _lambda = new double[LagrangianModel.Dims];
    }
}
