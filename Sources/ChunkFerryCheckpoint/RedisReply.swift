/// A decoded Redis reply.
package enum RedisReply: Sendable, Equatable {
    case string(String)
    case integer(Int64)
    case array([RedisReply])
    case null
    case status(String)
    case error(String)

    package var string: String? {
        switch self {
        case .string(let text), .status(let text): text
        case .integer(let value): String(value)
        default: nil
        }
    }

    package var integer: Int64? {
        switch self {
        case .integer(let value): value
        case .string(let text): Int64(text)
        default: nil
        }
    }

    package var array: [RedisReply] { if case .array(let items) = self { items } else { [] } }

    /// A flat `[field, value, field, value…]` reply (HGETALL) as a dictionary.
    package var fields: [String: String] {
        let items = array
        var result: [String: String] = [:]
        var index = 0
        while index + 1 < items.count {
            if let name = items[index].string, let value = items[index + 1].string { result[name] = value }
            index += 2
        }
        return result
    }
}
