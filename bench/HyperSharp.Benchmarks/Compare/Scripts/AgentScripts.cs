using System.Globalization;
using System.Text;
using HyperSharp.Scripting;

namespace HyperSharp.Benchmarks.Compare.Scripts;

/// <summary>
/// The scripts every contender runs, per language: a trivial expression, one tool call, and a realistic agent script
/// that parses ~10 KB of JSON (orders, embedded in the source as a string), keeps the open ones, totals them per
/// customer, prints the top five and returns a summary. Lua has no JSON parser of its own, so its script carries a
/// small one, as an agent's Lua would.
/// </summary>
internal static class AgentScripts
{
    /// <summary>~10 KB of orders, the same every run (a fixed seed).</summary>
    public static string OrdersJson { get; } = MakeOrders();

    public static string Trivial(ScriptLanguage language) => language == ScriptLanguage.Lua ? "return 1 + 1" : "1 + 1";

    public static string ToolCall(ScriptLanguage language) => language == ScriptLanguage.Lua ? "return tools.echo(1)" : "tools.echo(1)";

    /// <summary>The agent script; its value is a summary object with the number of open orders.</summary>
    public static string Agent(ScriptLanguage language) => language switch
    {
        ScriptLanguage.JavaScript => $$"""
            const data = JSON.parse({{Quoted()}});
            const open = data.orders.filter((o) => o.status === 'open');
            const totals = {};
            for (const o of open) totals[o.customer] = (totals[o.customer] ?? 0) + o.total;
            const top = Object.entries(totals).sort((a, b) => b[1] - a[1]).slice(0, 5);
            for (const [customer, total] of top) console.log(`${customer}: ${total.toFixed(2)}`);
            ({ open: open.length, customers: Object.keys(totals).length, best: top[0][0] })
            """,
        ScriptLanguage.Python => $$"""
            import json
            data = json.loads({{Quoted()}})
            open_orders = [o for o in data['orders'] if o['status'] == 'open']
            totals = {}
            for o in open_orders:
                totals[o['customer']] = totals.get(o['customer'], 0) + o['total']
            top = sorted(totals.items(), key=lambda item: -item[1])[:5]
            for customer, total in top:
                print('%s: %.2f' % (customer, total))
            {'open': len(open_orders), 'customers': len(totals), 'best': top[0][0]}
            """,
        ScriptLanguage.Lua => $$"""
            local function decode(s)
              local i = 1
              local function space() i = s:find('[^ \t\r\n]', i) or #s + 1 end
              local value
              local function str()
                local j = i + 1
                local out = {}
                while true do
                  local c = s:sub(j, j)
                  if c == '"' then i = j + 1 return table.concat(out) end
                  if c == '\\' then j = j + 1 c = s:sub(j, j) c = ({ n = '\n', t = '\t', r = '\r', b = '\b', f = '\f' })[c] or c end
                  out[#out + 1] = c
                  j = j + 1
                end
              end
              function value()
                space()
                local c = s:sub(i, i)
                if c == '{' then
                  local t = {} i = i + 1 space()
                  if s:sub(i, i) == '}' then i = i + 1 return t end
                  repeat space() local k = str() space() i = i + 1 t[k] = value() space() c = s:sub(i, i) i = i + 1 until c == '}'
                  return t
                elseif c == '[' then
                  local t = {} i = i + 1 space()
                  if s:sub(i, i) == ']' then i = i + 1 return t end
                  repeat t[#t + 1] = value() space() c = s:sub(i, i) i = i + 1 until c == ']'
                  return t
                elseif c == '"' then return str()
                elseif s:sub(i, i + 3) == 'true' then i = i + 4 return true
                elseif s:sub(i, i + 4) == 'false' then i = i + 5 return false
                elseif s:sub(i, i + 3) == 'null' then i = i + 4 return nil
                else local number = s:match('^-?[%d.eE+-]+', i) i = i + #number return tonumber(number) end
              end
              return value()
            end
            local data = decode({{Quoted()}})
            local open, totals, customers = 0, {}, 0
            for _, o in ipairs(data.orders) do
              if o.status == 'open' then
                open = open + 1
                if not totals[o.customer] then customers = customers + 1 end
                totals[o.customer] = (totals[o.customer] or 0) + o.total
              end
            end
            local top = {}
            for customer, total in pairs(totals) do top[#top + 1] = { customer, total } end
            table.sort(top, function(a, b) return a[2] > b[2] end)
            for n = 1, 5 do print(string.format('%s: %.2f', top[n][1], top[n][2])) end
            return { open = open, customers = customers, best = top[1][1] }
            """,
        _ => throw new ArgumentOutOfRangeException(nameof(language)),
    };

    /// <summary>The number of open orders the agent script must report, to check every contender's result.</summary>
    public static int OpenOrders { get; } = OrdersJson.Split("\"open\"").Length - 1;

    private static string Quoted() => "'" + OrdersJson.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";

    private static string MakeOrders()
    {
        var random = new Random(14);
        string[] statuses = ["open", "shipped", "cancelled"];
        var json = new StringBuilder("{\"orders\":[");
        for (var i = 0; json.Length < 10_000; i++)
        {
            json.Append(CultureInfo.InvariantCulture,
                $"{(i > 0 ? "," : "")}{{\"id\":{i},\"customer\":\"customer-{random.Next(20)}\",\"status\":\"{statuses[random.Next(3)]}\",\"total\":{random.Next(100, 100_000) / 100.0},\"items\":{random.Next(1, 9)}}}");
        }

        return json.Append("]}").ToString();
    }
}
